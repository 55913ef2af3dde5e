import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort } from "@lag/launcher";
import { endpointOf, reachable } from "./reachable.ts";

describe("a network repository's server", () => {
  it("is found in rest: and sftp: URLs; local and other backends have none", () => {
    expect(endpointOf("rest:http://nas:8000/kronos/")).toEqual({ host: "nas", port: 8000 });
    expect(endpointOf("rest:https://user:pw@backup.example.org/r")).toEqual({ host: "backup.example.org", port: 443 });
    expect(endpointOf("rest:http://[::1]:8000/")).toEqual({ host: "::1", port: 8000 });
    expect(endpointOf("sftp:backup@nas:/srv/restic")).toEqual({ host: "nas", port: 22 });
    expect(endpointOf("sftp://backup@nas:2222//srv/restic")).toEqual({ host: "nas", port: 2222 });
    expect(endpointOf("/mnt/backup/restic")).toBeUndefined();
    expect(endpointOf("s3:s3.amazonaws.com/bucket")).toBeUndefined();
  });

  it("answers at once when it listens, and says why when it does not", async () => {
    const server = createServer().listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    const port = (server.address() as { port: number }).port;
    expect(await reachable(`rest:http://127.0.0.1:${port}/`, 2_000)).toEqual({ ok: true });
    server.close();
    const closed = await freePort();
    const r = await reachable(`rest:http://127.0.0.1:${closed}/`, 2_000);
    expect(r).toMatchObject({ ok: false });
    if (!r.ok) expect(r.why).toContain("ECONNREFUSED");
    expect(await reachable("/mnt/backup/restic", 10)).toEqual({ ok: true });
  });
});
