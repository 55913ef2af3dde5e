import type { Clock } from "@lag/async";
import type { Logger } from "@lag/log";
import type { BackupAlerts } from "./alerts.ts";
import type { PlanConfig } from "./config.ts";
import { lastDue, missed, startGrace, windowOf } from "./rpo.ts";
import type { BackupRunner } from "./runner.ts";
import type { Catalogue } from "./store/catalogue.ts";

const ALIVE = "alive";

function hours(ms: number): string {
  return `${Math.round(ms / 360_000) / 10} h`;
}

/**
 * The dead-man's switch inside LAG: a plan without a successful run within its window is an alert,
 * also when the worker itself was down through the scheduled time (noticed at the next start, and
 * the missed run is made up at once).
 */
export class MissedRuns {
  constructor(
    private readonly o: {
      plans: readonly PlanConfig[];
      catalogue: Catalogue;
      alerts: BackupAlerts;
      runner: BackupRunner;
      clock: Clock;
      log: Logger;
    },
  ) {}

  /** At start: a scheduled time that passed while the worker was not running, and no run since, is a missed run, made up now. */
  atStart(): void {
    const now = this.o.clock.now();
    const alive = this.o.catalogue.getMeta(ALIVE);
    for (const plan of this.o.plans) {
      const seen = this.o.catalogue.planSeen(plan.name, now.getTime());
      const due = lastDue(plan.schedule, now)?.getTime();
      const last = this.o.catalogue.runs(plan.name, 0, 1)[0];
      // Stopped or crashed mid-run: made up now (the crash itself was an alert already).
      const interrupted = last?.status === "interrupted";
      const missedDue =
        alive !== undefined &&
        due !== undefined &&
        due > alive &&
        due >= seen &&
        !(last && last.startedAt >= due - startGrace(plan.schedule, now));
      if (!missedDue && !interrupted) continue;
      if (missedDue)
        this.o.alerts.fire({
          rule: "backup-missed",
          severity: "high",
          summary: `the run of backup ${plan.name} due at ${new Date(due).toISOString()} did not happen: it-backup was not running from ${new Date(alive).toISOString()} to ${now.toISOString()}; making it up now`,
          labels: { plan: plan.name },
        });
      this.o.runner.start(plan, "missed");
    }
    this.tick();
  }

  /** Every few seconds: the heartbeat (how long the worker was down, at the next start), and each plan's window. */
  tick(): void {
    const now = this.o.clock.now();
    this.o.catalogue.setMeta(ALIVE, now.getTime());
    for (const plan of this.o.plans) {
      if (this.o.runner.runningRun(plan.name)) continue;
      const good = this.o.catalogue.lastGoodRun(plan.name);
      const since = this.o.catalogue.planSeen(plan.name, now.getTime());
      const lastGoodFinishedAt = good?.finishedAt ?? undefined;
      if (!missed({ ...plan.schedule, window: plan.window }, { lastGoodFinishedAt, since, now })) continue;
      const window = windowOf({ ...plan.schedule, window: plan.window }, now);
      this.o.alerts.fire({
        rule: "backup-missed",
        severity: "high",
        summary: good
          ? `no successful backup of ${plan.name} for ${hours(now.getTime() - good.finishedAt!)} (its window is ${hours(window)})`
          : `backup ${plan.name} has never succeeded, ${hours(now.getTime() - since)} after it was configured (its window is ${hours(window)})`,
        labels: { plan: plan.name },
        value: Math.round((now.getTime() - (lastGoodFinishedAt ?? since)) / 1000),
        threshold: Math.round(window / 1000),
      });
    }
  }
}
