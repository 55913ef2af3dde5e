import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServiceError, type Bus } from "@lag/bus";
import { StorageReport, storageService, type StorageQuery } from "@lag/contracts";
import { startTestNats, type TestNats } from "@lag/testing";
import { cleanEnv, jsonOf, lag } from "./run-lag.fixture.ts";

let nats: TestNats;
let server: Bus;
let env: NodeJS.ProcessEnv;
const received: StorageQuery[] = [];

beforeAll(async () => {
  nats = await startTestNats();
  env = cleanEnv({ NATS_URL: nats.url });
  server = await nats.bus("it-monitor");
  await server.serve(storageService, {
    query: (q) => {
      received.push(q);
      if (q.path === "/missing") throw new ServiceError(404, "no volume holds /missing");
      const v = storageService.endpoints.query.example.reply.volumes[0]!;
      return { time: new Date().toISOString(), volumes: [{ ...v, mount: q.path ?? v.mount }] };
    },
  });
});
afterAll(async () => nats?.stop());

describe("lag req", () => {
  it("calls the endpoint named by its subject and prints the reply as pretty JSON", async () => {
    const r = await lag(["req", "lag.it.storage.query", "{}"], env);
    expect(r.code, r.stderr).toBe(0);
    const reply = StorageReport.parse(jsonOf(r));
    expect(reply.volumes[0]!.mount).toBe("/mnt/storage");
    expect(r.stdout).toContain('\n  "volumes": [');
  });

  it("sends the request given, or read from stdin with -", async () => {
    const a = await lag(["req", "lag.it.storage.query", '{"path": "/mnt/backup"}'], env);
    expect(StorageReport.parse(jsonOf(a)).volumes[0]!.mount).toBe("/mnt/backup");
    const b = await lag(["req", "lag.it.storage.query", "-"], env, { input: '{"path": "/srv"}' });
    expect(StorageReport.parse(jsonOf(b)).volumes[0]!.mount).toBe("/srv");
  });

  it("checks the request against the contract first, naming the field, and sends nothing", async () => {
    const before = received.length;
    const r = await lag(["req", "lag.it.storage.query", '{"path": "relative/dir", "colour": 1}'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("request.path: must be an absolute path");
    expect(r.stderr).toMatch(/colour/);
    expect(r.stderr).toContain("nothing was sent");
    expect(received.length).toBe(before);
  });

  it("prints the service's 400 naming the field when the check is skipped with --unchecked", async () => {
    const r = await lag(["req", "--unchecked", "lag.it.storage.query", '{"path": "relative/dir"}'], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^400 invalid request: request\.path: must be an absolute path/m);
  });

  it("prints a service error as `code description` on stderr with exit code 1", async () => {
    const r = await lag(["req", "lag.it.storage.query", '{"path": "/missing"}'], env);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("404 no volume holds /missing");
  });

  it("says which agent to start when no service answers a templated endpoint", async () => {
    const r = await lag(["req", "lag.it.monitor.status.nohost", "{}", "--timeout", "2s"], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^503 no it-monitor service answers \(is it-monitor running\?\)/m);
  });

  it("lists the known endpoints for an unknown subject, and refuses a request that is not JSON", async () => {
    const r = await lag(["req", "lag.it.storage.qurey", "{}"], env);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("no service endpoint has subject lag.it.storage.qurey");
    expect(r.stderr).toContain("lag.it.storage.query");
    expect(r.stderr).toContain("lag.it.monitor.status.{host}");
    const bad = await lag(["req", "lag.it.storage.query", "{path: /x}"], env);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/the request is not JSON .*quote it in single quotes/);
  });
});
