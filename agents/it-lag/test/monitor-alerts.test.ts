import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alert, checkResult, containerMetrics, MonitorStatus, monitorService, type Alert } from "@lag/contracts";
import type { Bus } from "@lag/bus";
import { startWorker, type RunningWorker } from "@lag/worker";
import {
  dockerCli,
  ensureBusyboxImage,
  eventually,
  memoryLogger,
  removeContainers,
  runContainer,
  runHealthCheckedContainer,
  startTestNats,
  testContainerPrefix,
  type TestNats,
} from "@lag/testing";
import { monitorWorker } from "../src/workers/monitor/worker.ts";

/**
 * The monitor worker as it runs in production (real NATS, real Docker engine, real HTTP check),
 * with a 1 s interval and short repeat intervals so the alert lifecycle fits in a test.
 */
const prefix = testContainerPrefix("monitor");
let nats: TestNats;
let worker: RunningWorker;
let watcher: Bus;
let web: Server;
let webUp = true;
const alerts: Alert[] = [];

beforeAll(async () => {
  const image = await ensureBusyboxImage();
  nats = await startTestNats();
  web = createServer((_req, res) => {
    res.writeHead(webUp ? 200 : 503).end(webUp ? "ok" : "down");
  });
  await new Promise<void>((r) => web.listen(0, "127.0.0.1", r));
  const port = (web.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), "lag-monitor-"));
  const config = join(dir, "lag.yaml");
  const match = `{ container: "${prefix}*" }`;
  writeFileSync(
    config,
    `dataDir: ${dir}
it:
  monitor:
    host: dockertest
    interval: 1s
    reportInterval: 1h
    checks:
      - { name: web, kind: http, url: "http://127.0.0.1:${port}/", interval: 1s, timeout: 800ms }
    rules:
      - { name: container-unhealthy, metric: container.healthy, op: "==", threshold: 0, severity: high, repeat: 3s, match: ${match} }
      - { name: container-down, metric: container.up, op: "==", threshold: 0, severity: high, repeat: never, match: ${match} }
      - { name: container-restart-loop, metric: container.restarts, function: increase, window: 1m, op: ">=", threshold: 2, severity: high, match: ${match} }
      - { name: check-down, metric: check.up, op: "==", threshold: 0, severity: critical, repeat: never }
`,
  );
  watcher = await nats.bus("ceo");
  watcher.subscribe(alert, (d) => void alerts.push(d.data));
  await watcher.nc.flush();
  await runHealthCheckedContainer(`${prefix}health`, image);
  await runContainer(["--name", `${prefix}stopme`, image, "sleep", "600"]);
  worker = await startWorker(monitorWorker, {
    env: { LAG_CONFIG: config, NATS_URL: nats.url },
    logger: memoryLogger("it-monitor").logger,
  });
}, 120_000);

afterAll(async () => {
  await worker?.shutdown("test");
  await removeContainers(prefix);
  web?.close();
  await nats?.stop();
});

const of = (rule: string, container?: string) => alerts.filter((a) => a.rule === rule && (!container || a.labels.container === container));

describe("monitor alerts from a real Docker engine and real checks", () => {
  it("an unhealthy container fires once, repeats on schedule, and resolves when healthy again", async () => {
    const name = `${prefix}health`;
    await eventually(
      async () => {
        const s = await watcher.request(monitorService.endpoints.status, {}, { tokens: { host: "dockertest" } });
        return s.containers.find((c) => c.name === name)?.health === "healthy";
      },
      20_000,
      "container healthy",
    );
    expect(of("container-unhealthy", name)).toHaveLength(0);
    await dockerCli(["exec", name, "rm", "/tmp/ok"]);
    await eventually(() => of("container-unhealthy", name).some((a) => a.repeat >= 2), 30_000, "two reminders");
    await dockerCli(["exec", name, "touch", "/tmp/ok"]);
    await eventually(() => of("container-unhealthy", name).some((a) => a.status === "resolved"), 20_000, "resolved");
    const seen = of("container-unhealthy", name);
    const firing = seen.filter((a) => a.status === "firing");
    expect(firing.filter((a) => a.repeat === 0)).toHaveLength(1);
    expect(firing.map((a) => a.repeat)).toEqual(firing.map((_, i) => i));
    expect(new Set(seen.map((a) => a.fingerprint)).size).toBe(1);
    expect(seen.filter((a) => a.status === "resolved")).toHaveLength(1);
    expect(seen.at(-1)!.status).toBe("resolved");
    expect(firing[0]!.severity).toBe("high");
    // reminders come every 3 s, not every 1 s round
    const t = firing.map((a) => Date.parse(a.startsAt));
    expect(new Set(t).size).toBe(1);
  }, 90_000);

  it("a stopped container raises container-down, once", async () => {
    const name = `${prefix}stopme`;
    await dockerCli(["stop", "-t", "1", name]);
    await eventually(() => of("container-down", name).length > 0, 20_000, "container-down");
    await new Promise((r) => setTimeout(r, 3_000));
    expect(of("container-down", name)).toHaveLength(1);
    expect(of("container-down", name)[0]).toMatchObject({ status: "firing", severity: "high", host: "dockertest" });
  }, 60_000);

  it("a restart loop is one alert (the loop), not also a down alert flapping between restarts", async () => {
    const image = await ensureBusyboxImage();
    const name = `${prefix}loop`;
    await runContainer(["--name", name, "--restart", "always", image, "sh", "-c", "sleep 1; exit 1"]);
    await eventually(() => of("container-restart-loop", name).some((a) => a.status === "firing"), 60_000, "restart loop alert");
    // A few more rounds of crashing and restarting.
    await new Promise((r) => setTimeout(r, 5_000));
    expect(of("container-restart-loop", name).filter((a) => a.status === "firing" && a.repeat === 0)).toHaveLength(1);
    expect(of("container-down", name)).toEqual([]);
  }, 90_000);

  it("a one-shot container that finished cleanly raises nothing; one that failed is down", async () => {
    const image = await ensureBusyboxImage();
    await runContainer(["--name", `${prefix}oneshot`, image, "sh", "-c", "sleep 2; exit 0"]);
    await runContainer(["--name", `${prefix}failed`, image, "sh", "-c", "sleep 2; exit 3"]);
    await eventually(() => of("container-down", `${prefix}failed`).length > 0, 30_000, "the failed one-shot is down");
    await new Promise((r) => setTimeout(r, 2_000));
    expect(of("container-down", `${prefix}oneshot`)).toEqual([]);
  }, 60_000);

  it("a failing HTTP check raises check-down (critical) and resolves when it answers again", async () => {
    webUp = false;
    await eventually(() => of("check-down").some((a) => a.status === "firing"), 20_000, "check-down");
    const firing = of("check-down").find((a) => a.status === "firing")!;
    expect(firing.severity).toBe("critical");
    expect(firing.labels).toMatchObject({ check: "web", kind: "http" });
    webUp = true;
    await eventually(() => of("check-down").some((a) => a.status === "resolved"), 20_000, "check-down resolved");
  }, 60_000);

  it("publishes containers and check results, and answers status and history per host", async () => {
    const snaps: unknown[] = [];
    const results: unknown[] = [];
    const s1 = watcher.subscribe(containerMetrics, (d) => void snaps.push(d.data), { tokens: { host: "dockertest" } });
    const s2 = watcher.subscribe(checkResult, (d) => void results.push(d.data), { tokens: { host: "dockertest", check: "web" } });
    await eventually(() => snaps.length > 0 && results.length > 0, 10_000);
    s1.unsubscribe();
    s2.unsubscribe();
    const status = MonitorStatus.parse(await watcher.request(monitorService.endpoints.status, {}, { tokens: { host: "dockertest" } }));
    expect(status.docker.available).toBe(true);
    expect(status.checks.map((c) => c.check)).toEqual(["web"]);
    expect(status.firing.some((a) => a.rule === "container-down")).toBe(true);
    expect(status.health).toBe("warning");
    const h = await watcher.request(
      monitorService.endpoints.history,
      { metric: "check.up", stepSec: 1 },
      { tokens: { host: "dockertest" } },
    );
    expect(h.source).toBe("raw");
    const points = h.series[0]!.points;
    expect(points.some((p) => p[1] === 0)).toBe(true); // the outage is in the history
    expect(points.at(-1)![3]).toBe(1);
    // A `to` at the end of the calendar is valid by the contract: clamped to now, not a 500.
    const far = await watcher.request(
      monitorService.endpoints.history,
      { metric: "check.up", to: "9999-12-31T23:59:59Z" },
      { tokens: { host: "dockertest" } },
    );
    expect(Date.parse(far.to)).toBeLessThan(Date.now() + 3_600_000);
    // A range wholly in the future is valid by the contract, and empty once clamped: a 400 that says why.
    const future = await watcher
      .request(
        monitorService.endpoints.history,
        { metric: "check.up", from: "9999-12-31T00:00:00Z", to: "9999-12-31T23:59:59Z" },
        { tokens: { host: "dockertest" } },
      )
      .catch((e: unknown) => e);
    expect(String(future)).toMatch(/400 invalid request: from \(9999-12-31T00:00:00.000Z\) must be before to/);
  }, 60_000);
});
