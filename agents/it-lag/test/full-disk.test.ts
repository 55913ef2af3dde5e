import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { itStream, monitorService } from "@lag/contracts";
import { eventually, memoryLogger, startTestNats, type MemoryLogger, type TestNats } from "@lag/testing";
import { startWorker, type RunningWorker } from "@lag/worker";
import { monitorWorker } from "../src/workers/monitor/worker.ts";

/**
 * The monitor's data directory on a small file system that is full (a tmpfs the test mounts): it
 * starts anyway, evaluates its rules and publishes alerts to JetStream, and the store failure is
 * one alert — which resolves, and history comes back, once there is room again.
 */
let nats: TestNats;
let web: Server;
let dir: string;
let data: string;
let mounted = false;
let worker: RunningWorker | undefined;

beforeAll(async () => {
  nats = await startTestNats();
  web = createServer((_q, r) => void r.writeHead(503).end("down"));
  await new Promise<void>((r) => web.listen(0, "127.0.0.1", r));
  dir = mkdtempSync(join(tmpdir(), "lag-full-"));
  data = join(dir, "data");
  mkdirSync(data);
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", data]);
  } catch (err) {
    throw new Error(`this test mounts a 1 MiB tmpfs and needs root (CAP_SYS_ADMIN): ${(err as Error).message}`);
  }
  mounted = true;
  // Fill it: dd stops at "No space left on device".
  try {
    execFileSync("dd", ["if=/dev/zero", `of=${join(data, "fill")}`, "bs=64k"], { stdio: "ignore" });
  } catch {
    // the expected ENOSPC
  }
});

afterAll(async () => {
  await worker?.shutdown("test");
  if (mounted) execFileSync("umount", [data]);
  rmSync(dir, { recursive: true, force: true });
  web?.close();
  await nats?.stop();
});

const count = async (rule: string, status: "firing" | "resolved") => {
  const jsm = await (await nats.bus("cli")).jsm();
  const info = await jsm.streams.info(itStream.name, { subjects_filter: `lag.it.alert.${status}.fullhost.${rule}` });
  return Object.values(info.state.subjects ?? {}).reduce((a, n) => a + n, 0);
};

describe("the monitor on a full data disk", () => {
  it("starts, alerts through JetStream, reports the store failure once, and recovers when there is room", async () => {
    const port = (web.address() as { port: number }).port;
    const config = join(dir, "lag.yaml");
    writeFileSync(
      config,
      `dataDir: ${data}
it:
  monitor:
    host: fullhost
    interval: 1s
    reportInterval: 1h
    docker: { enabled: false }
    history: { reopenInterval: 1s }
    checks:
      - { name: web, kind: http, url: "http://127.0.0.1:${port}/", interval: 1s, timeout: 800ms }
    rules:
      - { name: check-down, metric: check.up, op: "==", threshold: 0, severity: critical, repeat: never }
      - { name: store-failing, metric: lag.store_ok, op: "==", threshold: 0, severity: high, repeat: 2s }
`,
    );
    const log: MemoryLogger = memoryLogger("it-monitor");
    worker = await startWorker(monitorWorker, { env: { LAG_CONFIG: config, NATS_URL: nats.url }, logger: log.logger });
    expect(log.lines.some((l) => /unavailable; it-monitor runs without it/.test(l.msg))).toBe(true);

    // Alerts reach JetStream although nothing can be written locally.
    await eventually(async () => (await count("check-down", "firing")) === 1, 20_000, "check-down stored in LAG_IT");
    await eventually(async () => (await count("store-failing", "firing")) >= 1, 20_000, "store-failing stored in LAG_IT");
    const cli = await nats.bus("cli");
    const history = await cli
      .request(monitorService.endpoints.history, { metric: "check.up" }, { tokens: { host: "fullhost" } })
      .catch((e: unknown) => e);
    expect(String(history)).toMatch(/503 history is unavailable on this host/);
    // Several rounds later: still one store-failing alert (its reminders are repeats of it), logged once.
    await new Promise((r) => setTimeout(r, 4_000));
    const c = await cli.js.consumers.get(itStream.name, { filter_subjects: ["lag.it.alert.firing.fullhost.store-failing"] });
    const repeats: number[] = [];
    for (let i = await count("store-failing", "firing"); i > 0; i--) {
      const m = await c.next({ expires: 2_000 });
      if (m) repeats.push((m.json() as { data: { repeat: number } }).data.repeat);
    }
    expect(repeats.filter((r) => r === 0)).toHaveLength(1);
    expect(log.lines.filter((l) => /^history unavailable/.test(l.msg))).toHaveLength(1);
    expect(log.lines.filter((l) => /^cannot save the alert state/.test(l.msg))).toHaveLength(1);

    // Room again: the store opens, history answers, the alert resolves.
    rmSync(join(data, "fill"));
    await eventually(async () => (await count("store-failing", "resolved")) === 1, 20_000, "store-failing resolved");
    await eventually(
      async () => {
        const h = await cli.request(monitorService.endpoints.history, { metric: "check.up" }, { tokens: { host: "fullhost" } });
        return h.series.length > 0;
      },
      20_000,
      "history answering again",
    );
    expect(log.lines.some((l) => l.msg === "history is written again")).toBe(true);
  }, 90_000);
});
