import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Svcm } from "@nats-io/services";
import { monitorService, storageService } from "@lag/contracts";
import type { Bus } from "@lag/bus";
import { startWorker, type RunningWorker } from "@lag/worker";
import { eventually, memoryLogger, startTestNats, type TestNats } from "@lag/testing";
import { monitorWorker } from "../src/workers/monitor/worker.ts";
import { storageWorker } from "../src/workers/storage/worker.ts";

/** Two monitors (Kronos and the NAS) on one bus: each answers for its host, none collides. */
let nats: TestNats;
const workers: RunningWorker[] = [];
let client: Bus;

async function monitor(host: string, mounts: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), `lag-${host}-`));
  const file = join(dir, "lag.yaml");
  writeFileSync(
    file,
    `dataDir: ${dir}\nit:\n  monitor:\n    host: ${host}\n    interval: 1s\n    docker: { enabled: false }\n    mounts: ${JSON.stringify(mounts)}\n`,
  );
  const env = { LAG_CONFIG: file, NATS_URL: nats.url };
  workers.push(await startWorker(monitorWorker, { env, logger: memoryLogger(host).logger }));
  return env;
}

beforeAll(async () => {
  nats = await startTestNats();
  const kronos = await monitor("kronos", { storage: "/" });
  await monitor("nas", { backup: "/" });
  // The storage worker (on Kronos) learns every host's volumes from the monitors' samples on the bus.
  workers.push(await startWorker(storageWorker, { env: kronos, logger: memoryLogger("it-storage").logger }));
  client = await nats.bus("media");
}, 60_000);
afterAll(async () => {
  for (const w of workers) await w.shutdown("test");
  await nats?.stop();
});

describe("one monitor per host", () => {
  it("each host answers its own status and history on its own subject", async () => {
    for (const host of ["kronos", "nas"]) {
      const s = await client.request(monitorService.endpoints.status, {}, { tokens: { host } });
      expect(s.host).toBe(host);
      const h = await client.request(monitorService.endpoints.series, { prefix: "fs." }, { tokens: { host } });
      expect(h.host).toBe(host);
      expect(h.series.some((x) => x.metric === "fs.used_pct")).toBe(true);
    }
  });

  it("the storage query answers for every host, with each host's roles, from the monitors' samples", async () => {
    const r = await eventually(async () => {
      const x = await client.request(storageService.endpoints.query, { path: "/" });
      return x.volumes.length === 2 ? x : undefined;
    });
    expect(r.volumes.map((v) => `${v.host}:${v.role}`).sort()).toEqual(["kronos:storage", "nas:backup"]);
    const only = await client.request(storageService.endpoints.query, { host: "nas" });
    expect(new Set(only.volumes.map((v) => v.host))).toEqual(new Set(["nas"]));
  });

  it("shows two instances of each service to `nats micro ls`, with distinct per-host endpoints", async () => {
    const infos = [];
    for await (const i of await new Svcm(client.nc).client().info("it-monitor")) infos.push(i);
    expect(infos).toHaveLength(2);
    const subjects = infos.flatMap((i) => i.endpoints.map((e) => e.subject)).sort();
    expect(subjects).toContain("lag.it.monitor.status.kronos");
    expect(subjects).toContain("lag.it.monitor.status.nas");
    expect(new Set(subjects).size).toBe(subjects.length);
  });
});
