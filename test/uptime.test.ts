import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { incidentsService, monitorService, type UptimeReply } from "@lag/contracts";
import type { Bus } from "@lag/bus";
import { startWorker, type RunningWorker } from "@lag/worker";
import { eventually, memoryLogger, startTestNats, type TestNats } from "@lag/testing";
import { ceoWorker } from "@lag/ceo-lag";
import { incidentsWorker, monitorWorker } from "@lag/it-lag";
import { cleanEnv, jsonOf, lag } from "../packages/cli/test/run-lag.fixture.ts";

/**
 * Uptime through the real monitor and incident workers: an HTTP check against a local server that
 * goes down for a few seconds, a silence over the outage made in it-incidents, and `lag status
 * --uptime` reading both. (The figures themselves are checked against a hand-made history in
 * history/uptime.test.ts.)
 */
let nats: TestNats;
let monitor: RunningWorker;
let incidents: RunningWorker | undefined;
let ceo: RunningWorker;
let client: Bus;
let web: Server;
let up = true;
let outage: { from: number; to: number };
const env = () => cleanEnv({ NATS_URL: nats.url, LAG_USER: "ana" });

beforeAll(async () => {
  nats = await startTestNats();
  web = createServer((_req, res) => {
    res.statusCode = up ? 200 : 503;
    res.end(up ? "ok" : "down");
  });
  await new Promise<void>((r) => web.listen(0, "127.0.0.1", r));
  const port = (web.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), "lag-uptime-"));
  const config = join(dir, "lag.yaml");
  writeFileSync(
    config,
    `dataDir: ${dir}
it:
  monitor:
    host: uptest
    interval: 1s
    reportInterval: 1h
    docker: { enabled: false }
    checks:
      - { name: web, kind: http, url: "http://127.0.0.1:${port}/", interval: 1s, timeout: 500ms }
  incidents:
    host: uptest
`,
  );
  const workerEnv = { LAG_CONFIG: config, NATS_URL: nats.url };
  // it-incidents keeps the silences; it waits for CEO_LAG's approval stream.
  [monitor, incidents, ceo] = await Promise.all([
    startWorker(monitorWorker, { env: workerEnv, logger: memoryLogger("it-monitor").logger }),
    startWorker(incidentsWorker, { env: workerEnv, logger: memoryLogger("it-incidents").logger }),
    startWorker(ceoWorker, { env: workerEnv, logger: memoryLogger("ceo").logger }),
  ]);
  client = await nats.bus("cli");
  await new Promise((r) => setTimeout(r, 3_000));
  up = false;
  const from = Date.now();
  await new Promise((r) => setTimeout(r, 3_000));
  up = true;
  outage = { from, to: Date.now() };
  await new Promise((r) => setTimeout(r, 2_000));
}, 60_000);

afterAll(async () => {
  await monitor?.shutdown("test");
  await incidents?.shutdown("test");
  await ceo?.shutdown("test");
  await client?.close();
  web?.close();
  await nats?.stop();
});

describe("uptime per check", () => {
  it("the outage shows in the 24 h figure and today's bar, with response-time percentiles", async () => {
    const r = await lag(["status", "--uptime", "--json", "--timezone", "Europe/Madrid", "--days", "7"], env());
    expect(r.code).toBe(0);
    const [host] = jsonOf<UptimeReply[]>(r);
    expect(host?.host).toBe("uptest");
    expect(host?.timezone).toBe("Europe/Madrid");
    const web = host!.checks.find((c) => c.check === "web")!;
    const day = web.windows.find((w) => w.window === "24h")!;
    expect(day.availabilityPct).toBeGreaterThan(0);
    expect(day.availabilityPct).toBeLessThan(100);
    expect(day.downSec).toBeGreaterThan(0);
    expect(day.p50Ms).toBeGreaterThan(0);
    expect(web.days).toHaveLength(7);
    expect(web.days.at(-1)?.availabilityPct).toBe(day.availabilityPct);
    expect(web.days[0]?.availabilityPct).toBeNull();
  });

  it("a silence over the outage is listed, and --exclude-silences leaves its minutes out", async () => {
    await client.request(incidentsService.endpoints.silence, {
      matchers: { check: "web" },
      startsAt: new Date(outage.from).toISOString(),
      forMs: Math.max(1_000, outage.to - outage.from),
      by: "ana",
      note: "router firmware",
    });
    const shown = await lag(["status", "--uptime"], env());
    expect(shown.stdout).toMatch(/^uptest\s+web\s+\d/m);
    expect(shown.stdout).toMatch(/MAINTENANCE WINDOWS[\s\S]*FROM \(UTC\)[\s\S]*uptest\s+web\s+.*ana\s+router firmware/);
    const excluded = await client.request(monitorService.endpoints.uptime, { excludeSilences: true }, { tokens: { host: "uptest" } });
    const day = excluded.checks.find((c) => c.check === "web")!.windows[0]!;
    expect(excluded.excludeSilences).toBe(true);
    expect(day.excludedSec).toBeGreaterThanOrEqual(60);
    // Every minute the outage touched is out: what is left was all up (or nothing is left).
    expect([100, null]).toContain(day.availabilityPct);
    expect(day.downSec).toBe(0);
  });

  it("without it-incidents the figures still come, saying why no silence is in them", async () => {
    await incidents?.shutdown("test");
    incidents = undefined;
    const r = await eventually(async () => {
      const x = await client.request(
        monitorService.endpoints.uptime,
        { excludeSilences: true },
        { tokens: { host: "uptest" }, timeout: 10_000 },
      );
      return x.silencesError ? x : undefined;
    }, 20_000);
    expect(r.silencesError).toMatch(/it-incidents did not answer/);
    expect(r.excludeSilences).toBe(false);
    expect(r.checks[0]?.windows[0]?.availabilityPct).toBeLessThan(100);
    const bad = await lag(["status", "--uptime", "--timezone", "Mars/Olympus"], env());
    expect(bad.code).toBe(1);
    expect(bad.stderr + bad.stdout).toContain("timezone");
  });
});
