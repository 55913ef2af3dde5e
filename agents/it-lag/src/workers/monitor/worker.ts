import { join } from "node:path";
import { hostMetrics, monitorService, statusReport, storageService } from "@lag/contracts";
import type { WorkerSpec } from "@lag/worker";
import { AlertBook } from "./alerts/alert-book.ts";
import { CheckRunner } from "./checks/runner.ts";
import { hostSampler } from "./collect/host.ts";
import { MonitorProcessConfig } from "./config.ts";
import { DockerCollector } from "./docker/collector.ts";
import { History, historyMigrationsFolder } from "./history/history.ts";
import * as historySchema from "./history/schema.ts";
import { MonitorRound } from "./round.ts";
import { compileRules } from "./rules/index.ts";
import { buildStatusReport } from "./status.ts";
import { VolumeBook } from "./volumes.ts";

/**
 * IT_LAG's monitor: one per host. Serves `it-storage` (every host's volumes, learnt from the bus)
 * and the per-host `it-monitor` endpoints (status, history, series).
 */
export const monitorWorker: WorkerSpec<typeof MonitorProcessConfig> = {
  name: "it-monitor",
  principal: "it-monitor",
  config: MonitorProcessConfig,
  async start({ config, bus, log, timers, dataDir, openStore }) {
    const cfg = config.it.monitor;
    const host = cfg.host;
    await bus.ensureStreams();
    const store = openStore({ name: `it-monitor-${host}`, schema: historySchema, migrationsFolder: historyMigrationsFolder });
    const history = new History(store, {
      rawRetentionMs: cfg.history.rawRetention,
      rollup1mRetentionMs: cfg.history.minuteRetention,
      rollup1hRetentionMs: cfg.history.hourRetention,
    });
    const volumes = new VolumeBook();
    const { enabled: dockerEnabled, ...dockerConnection } = cfg.docker;
    const checks = new CheckRunner({
      host,
      checks: cfg.checks,
      defaultIntervalMs: cfg.interval,
      log,
      onResult: (r) => round.onCheck(r),
    });
    const round: MonitorRound = new MonitorRound({
      host,
      bus,
      log,
      sampler: hostSampler({ host, intervalMs: cfg.interval, mounts: cfg.mounts }),
      ...(dockerEnabled ? { docker: new DockerCollector({ host, connection: dockerConnection, logger: log }) } : {}),
      checks,
      history,
      rules: compileRules(cfg.rules),
      alerts: new AlertBook(join(dataDir, `it-monitor-${host}.alerts.json`), log),
      volumes,
    });

    // Every monitor learns every host's volumes from the bus (its own included), so any instance
    // can answer the storage query. Served after the first round, which already holds this host.
    bus.subscribe(hostMetrics, (d) => volumes.update(d.data));
    checks.start();
    await checks.firstResults(Math.max(0, ...cfg.checks.map((c) => c.timeout)) + 1_000);
    await round.run();
    await bus.serve(storageService, { query: (q) => volumes.query(q, new Date()) }, { metadata: { host } });
    await bus.serve(
      monitorService,
      {
        status: () => round.status(new Date()),
        history: (q) => history.query(q, host, new Date()),
        series: (q) => history.series(q, host),
      },
      { tokens: { host }, metadata: { host } },
    );

    timers.every("round", cfg.interval, () => round.run());
    const report = async () => {
      if (!round.metrics) return;
      const r = buildStatusReport(round.metrics, round.status(new Date()).firing);
      const p = await bus.publish(statusReport, r);
      log.info({ health: r.health, seq: p.sequence }, "status report published");
    };
    timers.every("status-report", cfg.reportInterval, report, { runAtStart: true });
    timers.every("history-compact", cfg.history.compactInterval, async () => {
      const c = await history.compact(new Date());
      log.debug({ ...c }, "history compacted");
    });
    log.info(
      { host, intervalMs: cfg.interval, mounts: cfg.mounts, checks: cfg.checks.length, rules: cfg.rules.length, docker: dockerEnabled },
      "monitoring",
    );
    return { stop: () => checks.stop() };
  },
};
