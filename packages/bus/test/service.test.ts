import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Svcm } from "@nats-io/services";
import { ContractError, ServiceError, type Bus } from "@lag/bus";
import { storageService, type StorageReport } from "@lag/contracts";
import { startTestNats, type TestNats } from "@lag/testing";

let nats: TestNats;
let server: Bus;
let client: Bus;

const report = (mount: string): StorageReport => ({
  time: new Date().toISOString(),
  volumes: [{ ...storageService.endpoints.query.example.reply.volumes[0]!, mount }],
});

beforeAll(async () => {
  nats = await startTestNats();
  server = await nats.bus("it-monitor");
  client = await nats.bus("media");
  await server.serve(storageService, {
    query: (req) => {
      if (req.path === "/missing") throw new ServiceError(404, "no volume holds /missing");
      if (req.path === "/explode") throw new Error("disk read failed");
      if (req.path === "/bad-reply") return { time: "yesterday", volumes: [] } as unknown as StorageReport;
      return report(req.path ?? "/");
    },
  });
});
afterAll(async () => nats?.stop());

describe("services", () => {
  it("answer a typed request with a validated reply", async () => {
    const r = await client.request(storageService.endpoints.query, { path: "/mnt/storage" });
    expect(r.volumes[0]!.mount).toBe("/mnt/storage");
  });

  it("answer a bare `{}` request, as `nats req` sends it", async () => {
    const m = await client.nc.request("lag.it.storage.query", "{}");
    expect(m.headers?.get("Nats-Service-Error-Code")).toBeUndefined();
    expect(m.json<StorageReport>().volumes).toHaveLength(1);
  });

  it("answer a bad request with 400 naming the field, in the standard headers", async () => {
    const m = await client.nc.request("lag.it.storage.query", JSON.stringify({ path: "relative/path", colour: 1 }));
    expect(m.headers?.get("Nats-Service-Error-Code")).toBe("400");
    expect(m.headers?.get("Nats-Service-Error")).toMatch(/request\.path/);
    expect(m.headers?.get("Nats-Service-Error")).toMatch(/colour/);
  });

  it("refuse to send a bad request from the typed client", async () => {
    await expect(client.request(storageService.endpoints.query, { path: "nope" })).rejects.toThrow(ContractError);
  });

  it("carry a handler's ServiceError status and message to the caller", async () => {
    const err = await client.request(storageService.endpoints.query, { path: "/missing" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServiceError);
    expect((err as ServiceError).status).toBe(404);
    expect((err as ServiceError).description).toBe("no volume holds /missing");
  });

  it("answer 500 when the handler throws or its reply breaks the contract", async () => {
    const a = await client.request(storageService.endpoints.query, { path: "/explode" }).catch((e: unknown) => e);
    expect((a as ServiceError).status).toBe(500);
    const b = await client.request(storageService.endpoints.query, { path: "/bad-reply" }).catch((e: unknown) => e);
    expect((b as ServiceError).status).toBe(500);
  });

  it("say 503 and which agent to start when nobody serves the endpoint", async () => {
    const other = await startTestNats();
    try {
      const c = await other.bus("media");
      const err = await c.request(storageService.endpoints.query, {}).catch((e: unknown) => e);
      expect((err as ServiceError).status).toBe(503);
      expect((err as ServiceError).message).toMatch(/it-storage running/);
    } finally {
      await other.stop();
    }
  });

  it("are discoverable through the NATS micro protocol ($SRV), like `nats micro ls`", async () => {
    const svc = new Svcm(client.nc).client();
    const infos = [];
    for await (const i of await svc.info()) infos.push(i);
    const info = infos.find((i) => i.name === "it-storage");
    expect(info).toBeDefined();
    expect(info!.endpoints.map((e) => e.subject)).toEqual(["lag.it.storage.query"]);
    expect(info!.endpoints[0]!.queue_group).toBe("it-storage");
    const stats = [];
    for await (const s of await svc.stats("it-storage")) stats.push(s);
    expect(stats[0]!.endpoints![0]!.num_requests).toBeGreaterThan(0);
  });

  it("spread requests over every instance of a service (queue group)", async () => {
    const second = await nats.bus("it-monitor");
    await second.serve(storageService, { query: () => report("/second") });
    const mounts = new Set<string>();
    for (let i = 0; i < 40; i++) mounts.add((await client.request(storageService.endpoints.query, {})).volumes[0]!.mount);
    expect(mounts).toEqual(new Set(["/", "/second"]));
    await second.drain();
  });
});
