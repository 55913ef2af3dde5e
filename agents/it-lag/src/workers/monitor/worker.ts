import { monitorService, statusReport } from "@lag/contracts";
import { defineWorker, schedule, serve } from "@lag/worker";
import { itConfig } from "../../config.ts";
import { AlertBook, alertStateFile } from "./alerts/alert-book.ts";
import { CheckRunner } from "./checks/runner.ts";
import { hostSampler } from "./collect/host.ts";
import { DockerCollector } from "./docker/collector.ts";
import { historyMigrationsFolder, historyStoreName } from "./history/history.ts";
import { HistoryKeeper } from "./history/keeper.ts";
import * as historySchema from "./history/schema.ts";
import { MonitorRound } from "./round.ts";
import { compileRules } from "./rules/compile.ts";
import { sshTarget } from "./ssh-target.ts";
import { uptimeReply } from "./uptime-query.ts";
import { buildStatusReport } from "./status-report.ts";

/** One host this monitor answers for: its own, or one it reads over SSH. */
interface WatchedHost {
  host: string;
  interval: number;
  history: HistoryKeeper;
  round: MonitorRound;
  metadata: Record<string, string>;
}

/**
 * IT_LAG's monitor: one per host. Serves the per-host `it-monitor` endpoints (status, history,
 * series); its samples feed the storage worker's volumes.
 */
export const monitorWorker = defineWorker({
  name: "it-monitor",
  principal: "it-monitor",
  config: itConfig.section("monitor"),
  // History is an extra: on a full or read-only disk the monitor starts without it and keeps alerting.
  store: { schema: historySchema, migrationsFolder: historyMigrationsFolder, file: (cfg) => historyStoreName(cfg.host), degradable: true },

  async setup(ctx) {
    const { config: cfg, bus, log, dataDir } = ctx;
    const host = cfg.host;
    const retention = {
      rawRetentionMs: cfg.history.rawRetention,
      rollup1mRetentionMs: cfg.history.minuteRetention,
      rollup1hRetentionMs: cfg.history.hourRetention,
    };
    const history = new HistoryKeeper(ctx, retention, log, cfg.history.reopenInterval);
    const rules = compileRules(cfg.rules);
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
      // LAG's own data directory is watched too: a full one is what stops history and alert state.
      sampler: hostSampler({ host, intervalMs: cfg.interval, mounts: cfg.mounts, dataDir }),
      ...(dockerEnabled ? { docker: new DockerCollector({ host, connection: dockerConnection, logger: log }) } : {}),
      checks,
      history,
      rules,
      alerts: new AlertBook(alertStateFile(dataDir, host), bus, log),
    });
    const targets = cfg.targets.map((t) =>
      sshTarget(t, { bus, log, dataDir, rules, history: retention, historyRetryMs: cfg.history.reopenInterval }),
    );
    checks.start();
    // The first round sees every check's result (or its timeout): a check without one would look
    // like a series that vanished, resolving an alert that was firing before a restart.
    await checks.firstResults(Math.max(0, ...cfg.checks.map((c) => c.timeout)) + 1_000);
    await round.run();
    // A host read over SSH is read in the background: one that does not answer (a dial may take
    // connectTimeout) must not hold up the monitor's start; its rounds say so.
    for (const t of targets)
      void t.round.run().catch((err: Error) => log.error({ target: t.host, err: err.message }, "first round failed"));
    log.info(
      {
        host,
        intervalMs: cfg.interval,
        mounts: cfg.mounts,
        checks: cfg.checks.length,
        rules: cfg.rules.length,
        docker: dockerEnabled,
        targets: targets.map((t) => `${t.host} (ssh ${t.config.address})`),
      },
      "monitoring",
    );
    const hosts: WatchedHost[] = [
      { host, interval: cfg.interval, history, round, metadata: { host } },
      ...targets.map((t) => ({
        host: t.host,
        interval: t.config.interval,
        history: t.history,
        round: t.round,
        metadata: { host: t.host, via: "ssh" },
      })),
    ];
    return { checks, targets, hosts };
  },

  bindings({ hosts }, { config: cfg, log, outbox, bus }) {
    return hosts.flatMap(({ host, interval, history, round, metadata }) => {
      // The monitor's own host keeps its schedules' historical names; each SSH target's carry its host.
      const named = (what: string) => (host === cfg.host ? what : `${what}:${host}`);
      return [
        serve(
          monitorService,
          {
            status: () => round.status(new Date()),
            history: (q) => history.query(q, host, new Date()),
            series: (q) => history.series(q, host),
            uptime: (q) => uptimeReply(bus, history, host, q, new Date()),
          },
          { tokens: { host }, metadata },
        ),
        schedule(named("round"), { every: interval }, () => round.run()),
        // Through the outbox: a report that cannot be stored now (an election, an outage) waits for it.
        schedule(named("status-report"), { every: cfg.reportInterval, runAtStart: true }, async () => {
          if (!round.metrics) return;
          const r = buildStatusReport(round.metrics, round.status(new Date()).firing);
          await outbox.publish(statusReport, r);
          log.info(
            { host, health: r.health, pending: outbox.pending },
            outbox.pending === 0 ? "status report published" : "status report queued",
          );
        }),
        schedule(named("history-compact"), { every: cfg.history.compactInterval }, async () => {
          const c = await history.compact(new Date());
          if (c) log.debug({ host, ...c }, "history compacted");
        }),
      ];
    });
  },

  stopping: ({ checks, targets }) => {
    checks.stop();
    for (const t of targets) t.close();
  },
});
