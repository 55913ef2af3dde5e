import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { alert, type Alert } from "@lag/contracts";
import { startWorker } from "@lag/worker";
import { eventually, memoryLogger, startTestNats, type TestNats } from "@lag/testing";
import { monitorWorker } from "../src/workers/monitor/worker.ts";

/** A monitor restarted while an alert fires picks up where it left off: no resolve, no second "firing". */
let nats: TestNats;
let web: Server;
let config: string;
const alerts: Alert[] = [];

beforeAll(async () => {
  nats = await startTestNats();
  web = createServer((_q, r) => void r.writeHead(503).end());
  await new Promise<void>((r) => web.listen(0, "127.0.0.1", r));
  const port = (web.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), "lag-restart-"));
  config = join(dir, "lag.yaml");
  writeFileSync(
    config,
    `dataDir: ${dir}
it:
  monitor:
    host: restart
    interval: 1s
    docker: { enabled: false }
    checks:
      - { name: web, kind: http, url: "http://127.0.0.1:${port}/", interval: 1s, timeout: 500ms }
    rules:
      - { name: check-down, metric: check.up, op: "==", threshold: 0, severity: critical, repeat: never }
`,
  );
  const watcher = await nats.bus("ceo");
  watcher.subscribe(alert, (d) => void alerts.push(d.data));
  await watcher.nc.flush();
});
afterAll(async () => {
  web?.close();
  await nats?.stop();
});

const start = () => startWorker(monitorWorker, { env: { LAG_CONFIG: config, NATS_URL: nats.url }, logger: memoryLogger("m").logger });

describe("monitor restart", () => {
  it("keeps a firing alert firing across a restart, without announcing it again", async () => {
    const first = await start();
    await eventually(() => alerts.some((a) => a.rule === "check-down" && a.status === "firing"), 15_000);
    await first.shutdown("test");
    const second = await start();
    await new Promise((r) => setTimeout(r, 4_000)); // several rounds
    await second.shutdown("test");
    const seen = alerts.filter((a) => a.rule === "check-down");
    expect(seen.map((a) => `${a.status}/${a.repeat}`)).toEqual(["firing/0"]);
  }, 40_000);
});
