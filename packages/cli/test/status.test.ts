import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MonitorStatus } from "@lag/contracts";
import { startWorker, type RunningWorker } from "@lag/worker";
import {
  dockerCli,
  ensureBusyboxImage,
  memoryLogger,
  removeContainers,
  requireDocker,
  runContainer,
  startTestNats,
  testContainerPrefix,
  type TestNats,
} from "@lag/testing";
import { monitorWorker } from "@lag/it-lag";
import { cleanEnv, jsonOf, lag } from "./run-lag.fixture.ts";

/** `lag status` against two real monitors: one healthy, one with a failing check firing an alert. */
let nats: TestNats;
let web: Server;
const workers: RunningWorker[] = [];

async function monitor(host: string, extra: string) {
  const dir = mkdtempSync(join(tmpdir(), `lag-status-${host}-`));
  const file = join(dir, "lag.yaml");
  writeFileSync(
    file,
    `dataDir: ${dir}\nit:\n  monitor:\n    host: ${host}\n    interval: 1s\n    docker: { enabled: false }\n    mounts: { storage: / }\n${extra}`,
  );
  workers.push(await startWorker(monitorWorker, { env: { LAG_CONFIG: file, NATS_URL: nats.url }, logger: memoryLogger(host).logger }));
}

beforeAll(async () => {
  nats = await startTestNats();
  web = createServer((_q, r) => void r.writeHead(503).end("down"));
  await new Promise<void>((r) => web.listen(0, "127.0.0.1", r));
  const port = (web.address() as { port: number }).port;
  await monitor("alpha", "");
  await monitor(
    "beta",
    `    checks:\n      - { name: web, kind: http, url: "http://127.0.0.1:${port}/", interval: 1s, timeout: 500ms }\n    rules:\n      - { name: check-down, metric: check.up, op: "==", threshold: 0, severity: critical }\n`,
  );
}, 60_000);
const prefix = testContainerPrefix("status");
afterAll(async () => {
  for (const w of workers) await w.shutdown("test");
  await removeContainers(prefix);
  web?.close();
  await nats?.stop();
});

describe("lag status", () => {
  it("shows every host, its disks and checks, and the firing alerts; exit 1 while something fires", async () => {
    // the check runs after start and its alert on the next round
    let r = await lag(["status"], cleanEnv({ NATS_URL: nats.url }));
    for (let i = 0; i < 20 && !r.stdout.includes("check-down"); i++) {
      await new Promise((res) => setTimeout(res, 500));
      r = await lag(["status"], cleanEnv({ NATS_URL: nats.url }));
    }
    expect(r.stdout).toMatch(/alpha\s+ok/);
    expect(r.stdout).toMatch(/beta\s+critical/);
    expect(r.stdout).toMatch(/alpha\s+\/\s+storage/);
    expect(r.stdout).toMatch(/beta\s+web\s+http\s+down/);
    expect(r.stdout).toMatch(/1\/1 failing: web/);
    expect(r.stdout).toMatch(/FIRING ALERTS \(1\)/);
    expect(r.stdout).toMatch(/critical\s+beta\s+check-down/);
    expect(r.code).toBe(1);
  }, 60_000);

  it("prints the statuses as JSON, one per host, valid against the contract", async () => {
    const r = await lag(["status", "--json"], cleanEnv({ NATS_URL: nats.url }));
    const all = jsonOf<unknown[]>(r).map((x) => MonitorStatus.parse(x));
    expect(all.map((s) => s.host)).toEqual(["alpha", "beta"]);
  }, 30_000);

  it("answers for one named host, exit 0 when it is ok", async () => {
    const r = await lag(["status", "alpha"], cleanEnv({ NATS_URL: nats.url }));
    expect(r.stdout).toMatch(/alpha\s+ok/);
    expect(r.stdout).not.toMatch(/beta/);
    expect(r.stdout).toContain("none: all is well");
    expect(r.code).toBe(0);
  }, 30_000);

  it("names the containers that are not well, and leaves a one-shot container that finished cleanly out", async () => {
    await requireDocker();
    const image = await ensureBusyboxImage();
    await runContainer(["--name", `${prefix}crashed`, image, "sh", "-c", "exit 2"]);
    await runContainer(["--name", `${prefix}migrated`, image, "sh", "-c", "exit 0"]);
    await dockerCli(["wait", `${prefix}crashed`, `${prefix}migrated`]);
    const dir = mkdtempSync(join(tmpdir(), "lag-status-gamma-"));
    const file = join(dir, "lag.yaml");
    writeFileSync(file, `dataDir: ${dir}\nit:\n  monitor:\n    host: gamma\n    interval: 1s\n    mounts: { storage: / }\n`);
    workers.push(await startWorker(monitorWorker, { env: { LAG_CONFIG: file, NATS_URL: nats.url }, logger: memoryLogger("gamma").logger }));
    const r = await lag(["status", "gamma"], cleanEnv({ NATS_URL: nats.url }));
    expect(r.stdout).toMatch(/CONTAINERS NOT WELL/);
    expect(r.stdout).toMatch(new RegExp(`gamma\\s+${prefix}crashed\\s+exited\\s+none\\s+0\\s+2`));
    expect(r.stdout).not.toContain(`${prefix}migrated`);
  }, 60_000);
});
