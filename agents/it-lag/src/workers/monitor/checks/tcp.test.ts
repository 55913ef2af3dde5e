import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TcpCheck } from "./check-config.ts";
import { freePort } from "./dnsmasq.fixture.ts";
import { published, realNow } from "./results.fixture.ts";
import { tcpServer, type TestServer } from "./servers.fixture.ts";
import { run } from "./tcp.ts";

describe("tcp check", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await tcpServer();
  });
  afterAll(() => server.close());

  it("reports an open port as up with the connect latency, and closes the connection", async () => {
    const r = published(await run(TcpCheck.parse({ name: "imap", kind: "tcp", host: "127.0.0.1", port: server.port }), realNow));
    expect(r).toMatchObject({ check: "imap", kind: "tcp", target: `127.0.0.1:${server.port}`, ok: true });
    expect(r.latencyMs).toBeGreaterThan(0);
    expect(r.detail).toMatch(/^connected in \d+\.\d ms$/);
    await expect.poll(() => server.open, { timeout: 2000 }).toBe(0);
  });

  it("reports a closed port as connection refused", async () => {
    const port = await freePort();
    const r = published(await run(TcpCheck.parse({ name: "smtp", kind: "tcp", host: "127.0.0.1", port }), realNow));
    expect(r).toMatchObject({ ok: false, detail: "connection refused", target: `127.0.0.1:${port}` });
    expect(r.latencyMs).toBeUndefined();
  });

  it("writes an IPv6 target in brackets", async () => {
    const r = published(
      await run(TcpCheck.parse({ name: "v6", kind: "tcp", host: "::1", port: await freePort(), timeout: 1000 }), realNow),
    );
    expect(r.target).toMatch(/^\[::1\]:\d+$/);
    expect(r.ok).toBe(false);
  });
});
