import { readFileSync } from "node:fs";
import { sleep, type Clock } from "@lag/async";
import { backupEvent } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import type { BackupAlerts } from "./alerts.ts";
import type { ContainerHooks } from "./hooks.ts";
import type { Restic } from "./restic/restic.ts";
import type { Catalogue } from "./store/catalogue.ts";

function isRestic(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")[0]!.endsWith("restic");
  } catch {
    return false;
  }
}

/** Stops a restic left running by a worker that died (its own process group), SIGKILL after 10 s. */
async function stopOrphan(pid: number, log: Logger): Promise<void> {
  if (!isRestic(pid)) return;
  log.warn({ pid }, `restic ${pid} of a run interrupted by a crash is still running: stopping it`);
  for (const [signal, waitMs] of [
    ["SIGTERM", 10_000],
    ["SIGKILL", 2_000],
  ] as const) {
    try {
      process.kill(-pid, signal);
    } catch {
      return;
    }
    for (let t = 0; t < waitMs && isRestic(pid); t += 100) await sleep(100);
    if (!isRestic(pid)) return;
  }
}

/**
 * What a crash left behind, put right before anything else runs: runs still marked running become
 * interrupted (an event and an alert), their restic processes are stopped, stale locks are cleared
 * (restic removes only locks of processes that are gone), and containers a hook stopped run again.
 */
export async function recover(o: {
  catalogue: Catalogue;
  hooks: ContainerHooks;
  alerts: BackupAlerts;
  outbox: Outbox;
  restic: (repository: string) => Restic | undefined;
  repositoriesOf: (plan: string) => readonly string[];
  clock: Clock;
  log: Logger;
}): Promise<void> {
  const { catalogue, log } = o;
  const runs = catalogue.runningRuns();
  for (const run of runs) {
    if (run.pid) await stopOrphan(run.pid, log);
    const at = o.clock.now();
    const error = `interrupted: it-backup stopped during the run (started ${new Date(run.startedAt).toISOString()})`;
    catalogue.finishRun(run.id, "interrupted", at.getTime(), error);
    o.outbox.addTogether(() => {
      o.outbox.add(backupEvent, { kind: "failed", plan: run.plan, runId: run.id, at: at.toISOString(), step: "interrupted", error });
      o.outbox.add(backupEvent, {
        kind: "finished",
        plan: run.plan,
        runId: run.id,
        at: at.toISOString(),
        status: "interrupted",
        durationMs: at.getTime() - run.startedAt,
        error,
      });
    });
    o.alerts.fire({
      rule: "backup-failed",
      severity: "high",
      summary: `backup ${run.plan} was interrupted: it-backup stopped during the run; the next run makes up for it`,
      labels: { plan: run.plan, step: "interrupted" },
    });
    for (const repository of o.repositoriesOf(run.plan)) {
      try {
        await o.restic(repository)?.unlock();
      } catch (err) {
        log.warn({ repository, err: (err as Error).message }, `could not clear stale locks of ${repository}`);
      }
    }
  }
  const leftovers = catalogue.stoppedContainers();
  if (leftovers.length > 0)
    log.warn({ containers: leftovers.map((c) => c.container) }, "containers a hook stopped before a crash: starting them");
  for (const f of await o.hooks.startAll()) {
    o.alerts.fire({
      rule: "backup-failed",
      severity: "critical",
      summary: `container ${f.container} stopped for a backup did not start again: ${f.error}`,
      labels: { plan: leftovers.find((l) => l.container === f.container)?.plan ?? "unknown", container: f.container },
    });
  }
  if (runs.length > 0) await o.outbox.flush();
}
