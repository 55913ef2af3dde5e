import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Bus } from "@lag/bus";
import { ceoWorker } from "@lag/ceo-lag";
import { incidentChanged, notification, type Notification } from "@lag/contracts";
import { incidentsWorker, monitorWorker, storageWorker } from "@lag/it-lag";
import { dockerCli, memoryLogger, type TestNats } from "@lag/testing";
import { startWorker, type RunningWorker } from "@lag/worker";
import { cleanEnv, lag } from "../packages/cli/test/run-lag.fixture.ts";

/**
 * IT_LAG's monitor and incident worker and CEO_LAG, as they run in production, on one test host
 * watching the test's own containers; short intervals so an incident's life fits in a test.
 */
export interface IncidentSystem {
  dir: string;
  config: string;
  workers: Record<"monitor" | "incidents" | "ceo" | "storage", RunningWorker>;
  logs: Record<"monitor" | "incidents" | "ceo", ReturnType<typeof memoryLogger>>;
  changes: { kind: string; id: string; note: string }[];
  notifications: Notification[];
  watcher: Bus;
  lag(args: readonly string[]): ReturnType<typeof lag>;
  stop(): Promise<void>;
}

export function incidentsYaml(dir: string, host: string, prefix: string, ceo: string, natsUrl?: string): string {
  const match = `{ container: "${prefix}*" }`;
  // A check on the NATS port gives the daily report an uptime line.
  const checks = natsUrl
    ? `\n    checks:\n      - { name: nats, kind: tcp, host: 127.0.0.1, port: ${new URL(natsUrl).port}, interval: 1s, timeout: 500ms }`
    : "";
  return `dataDir: ${dir}
it:
  monitor:
    host: ${host}
    interval: 1s
    reportInterval: 1h${checks}
    rules:
      - { name: container-unhealthy, metric: container.healthy, op: "==", threshold: 0, severity: high, repeat: 5s, match: ${match} }
  incidents:
    host: ${host}
    groupWait: 1s
    resolveAfter: 2s
    report: { cron: "*/2 * * * * *", timezone: UTC }
    runbooks:
      # Containers named *-expire get a request nobody has time to decide.
      - { match: { rule: container-unhealthy, container: "*-expire" }, action: restart-container, approvalTimeout: 3s }
      - { match: { rule: container-unhealthy }, action: restart-container, approvalTimeout: 1m, verifyTimeout: 30s }
ceo:
${ceo}
`;
}

export async function startIncidentSystem(nats: TestNats, host: string, prefix: string, ceo = "  {}"): Promise<IncidentSystem> {
  const dir = mkdtempSync(join(tmpdir(), "lag-incidents-"));
  const config = join(dir, "lag.yaml");
  writeFileSync(config, incidentsYaml(dir, host, prefix, ceo, nats.url));
  const env = { LAG_CONFIG: config, NATS_URL: nats.url };
  const logs = { monitor: memoryLogger("it-monitor"), incidents: memoryLogger("it-incidents"), ceo: memoryLogger("ceo") };
  const watcher = await nats.bus("cli");
  const changes: IncidentSystem["changes"] = [];
  const notifications: Notification[] = [];
  watcher.subscribe(
    incidentChanged,
    (d) => void changes.push({ kind: d.data.entry.kind, id: d.data.incident.id, note: d.data.entry.note }),
  );
  watcher.subscribe(notification, (d) => void notifications.push(d.data));
  await watcher.nc.flush();
  // Each creates the streams it owns, then waits for the others': started together.
  const [monitor, incidents, ceoW, storage] = await Promise.all([
    startWorker(monitorWorker, { env, logger: logs.monitor.logger }),
    startWorker(incidentsWorker, { env, logger: logs.incidents.logger }),
    startWorker(ceoWorker, { env, logger: logs.ceo.logger }),
    // The daily report asks it for every host's storage.
    startWorker(storageWorker, { env, logger: memoryLogger("it-storage").logger }),
  ]);
  const workers = { monitor, incidents, ceo: ceoW, storage };
  return {
    dir,
    config,
    workers,
    logs,
    changes,
    notifications,
    watcher,
    lag: (args) => lag(args, cleanEnv({ NATS_URL: nats.url, LAG_USER: "ana" })),
    async stop() {
      for (const w of Object.values(workers)) await w.shutdown("test").catch(() => undefined);
      await watcher.close();
    },
  };
}

/** When the container last started (a restart changes it). */
export async function startedAt(name: string): Promise<string> {
  const r = await dockerCli(["inspect", "-f", "{{.State.StartedAt}}", name]);
  return r.stdout.trim();
}
