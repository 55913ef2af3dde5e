import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storageService } from "@lag/contracts";
import { startTestNats, type TestNats } from "@lag/testing";
import type { RunningService } from "@lag/bus";
import { cleanEnv, jsonOf, lag } from "./run-lag.fixture.ts";

let nats: TestNats;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  nats = await startTestNats();
  env = cleanEnv({ NATS_URL: nats.url });
  const server = await nats.bus("it-monitor");
  await server.serve(storageService, {
    query: () => ({ time: new Date().toISOString(), volumes: [] }),
  });
  const media = await nats.bus("media");
  await media.request(storageService.endpoints.query, {});
  await media.request(storageService.endpoints.query, {});
});
afterAll(async () => nats?.stop());

describe("lag services", () => {
  it("lists a running service from $SRV with its endpoints, queue group and stats (--json)", async () => {
    const r = await lag(["services", "--json", "--wait", "1s"], env);
    expect(r.code, r.stderr).toBe(0);
    const list = jsonOf<RunningService[]>(r);
    const svc = list.find((s) => s.name === storageService.name);
    expect(svc).toMatchObject({ version: storageService.version, contract: { known: true, version: storageService.version } });
    expect(svc!.id).toMatch(/\S+/);
    expect(svc!.endpoints).toEqual([
      expect.objectContaining({ name: "query", subject: "lag.it.storage.query", queueGroup: "it-storage", requests: 2, errors: 0 }),
    ]);
    expect(svc!.endpoints[0]!.averageMs).toBeGreaterThanOrEqual(0);
  });

  it("prints one row per endpoint of each instance", async () => {
    const r = await lag(["services", "--wait", "1s"], env);
    expect(r.code, r.stderr).toBe(0);
    const [header, row] = r.stdout.split("\n");
    expect(header).toMatch(/^SERVICE\s+VERSION\s+ID\s+ENDPOINT\s+SUBJECT\s+QUEUE\s+REQUESTS\s+ERRORS\s+AVG$/);
    expect(row).toMatch(/^it-storage\s+0\.1\.0\s+\S+\s+query\s+lag\.it\.storage\.query\s+it-storage\s+2\s+0\s+[\d.]+ ms$/);
    expect(r.stderr).toContain("1 service, 1 instance");
  });

  it("filters by name, and an unknown name is an empty list", async () => {
    const r = await lag(["services", "nobody", "--json", "--wait", "500ms"], env);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOf(r)).toEqual([]);
  });
});
