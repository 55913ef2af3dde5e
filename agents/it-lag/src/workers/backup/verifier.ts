import type { Clock } from "@lag/async";
import { backupEvent } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import type { BackupAlerts } from "./alerts.ts";
import type { BackupConfig, PlanConfig } from "./config.ts";
import type { Restic } from "./restic/restic.ts";
import { newRunId, type BackupRunner } from "./runner.ts";
import type { Catalogue, VerificationRow } from "./store/catalogue.ts";

export interface CheckResult {
  repository: string;
  ok: boolean;
  subset?: string;
  error?: string;
  errors: number;
  brokenPacks: string[];
  durationMs: number;
  /** The rotation after this check. */
  row: VerificationRow;
}

/**
 * Verification, rotated: each data check of a repository reads the next slice `k/N` of its pack
 * files (`restic check --read-data-subset`), so all of it is read back once per cycle of N checks;
 * the weekly `metadata` check reads the structure only. A check that finds damage is an alert
 * (backup-check-failed) and the same slice is read again next time, until it passes.
 */
export class Verifier {
  private readonly running = new Map<string, string>();

  constructor(
    private readonly o: {
      cfg: BackupConfig;
      catalogue: Catalogue;
      alerts: BackupAlerts;
      outbox: Outbox;
      runner: BackupRunner;
      restic: (repository: string) => Restic;
      clock: Clock;
      log: Logger;
      signal: AbortSignal;
    },
  ) {}

  /** Checks the plan's repositories in the background; one check of a plan at a time. */
  start(plan: PlanConfig, metadata: boolean): { runId: string; started: boolean } {
    const held = this.running.get(plan.name);
    if (held) return { runId: held, started: false };
    const runId = newRunId(plan.name, this.o.clock.now());
    this.running.set(plan.name, runId);
    void this.o.runner.track(
      `check of ${plan.name}`,
      this.checkPlan(plan, metadata, runId).finally(() => this.running.delete(plan.name)),
    );
    return { runId, started: true };
  }

  /** The scheduled check: every configured repository once (plans sharing one do not read it twice). */
  async checkAll(metadata: boolean): Promise<void> {
    const checked = new Map<string, CheckResult>();
    for (const plan of this.o.cfg.plans) {
      const runId = newRunId(plan.name, this.o.clock.now());
      for (const repository of plan.repositories) {
        if (this.o.signal.aborted) return;
        const r = checked.get(repository) ?? (await this.checkRepository(repository, metadata));
        checked.set(repository, r);
        this.publish(plan.name, runId, metadata, r);
      }
    }
  }

  private async checkPlan(plan: PlanConfig, metadata: boolean, runId: string): Promise<CheckResult[]> {
    const out: CheckResult[] = [];
    for (const repository of plan.repositories) {
      if (this.o.signal.aborted) break;
      const r = await this.checkRepository(repository, metadata);
      this.publish(plan.name, runId, metadata, r);
      out.push(r);
    }
    return out;
  }

  private async checkRepository(repository: string, metadata: boolean): Promise<CheckResult> {
    const slices = this.o.cfg.verify.slices;
    return this.o.runner.withRepository(repository, async () => {
      const row = this.o.catalogue.verification(repository, slices);
      const subset = metadata ? undefined : `${row.nextSlice}/${slices}`;
      const t0 = this.o.clock.now().getTime();
      let result: { ok: boolean; errors: number; brokenPacks: string[]; error?: string };
      try {
        const r = await this.o.restic(repository).check({ ...(subset ? { subset } : {}), signal: this.o.signal });
        result = { ok: r.ok, errors: r.errors, brokenPacks: r.brokenPacks, ...(r.ok ? {} : { error: r.detail || `${r.errors} errors` }) };
      } catch (err) {
        result = { ok: false, errors: 1, brokenPacks: [], error: (err as Error).message };
      }
      const now = this.o.clock.now().getTime();
      const next: VerificationRow = metadata
        ? { ...row, lastMetadataAt: now, lastMetadataOk: result.ok }
        : {
            ...row,
            lastDataAt: now,
            lastDataOk: result.ok,
            // A damaged slice is read again until it passes; a good one moves the rotation on.
            ...(result.ok ? { nextSlice: (row.nextSlice % slices) + 1, done: row.done >= slices ? 1 : row.done + 1 } : {}),
          };
      this.o.catalogue.saveVerification(next);
      const labels = { repository };
      const what = metadata ? "the metadata check" : `the data check (slice ${subset})`;
      if (result.ok) this.o.alerts.resolve("backup-check-failed", labels, `${what} of ${repository} passed`);
      else if (!this.o.signal.aborted)
        this.o.alerts.fire({
          rule: "backup-check-failed",
          severity: "high",
          summary: `${what} of repository ${repository} failed: ${result.error}${result.brokenPacks.length ? ` (damaged packs: ${result.brokenPacks.slice(0, 5).join(", ")})` : ""}`,
          labels,
          value: result.errors,
        });
      this.o.log[result.ok ? "info" : "error"](
        { repository, subset, ok: result.ok, error: result.error },
        `${what} of ${repository}: ${result.ok ? "ok" : "FAILED"}`,
      );
      return { repository, ...result, ...(subset ? { subset } : {}), durationMs: now - t0, row: next };
    });
  }

  private publish(plan: string, runId: string, metadata: boolean, r: CheckResult): void {
    this.o.outbox.add(backupEvent, {
      kind: "verified",
      plan,
      runId,
      at: this.o.clock.now().toISOString(),
      repository: r.repository,
      check: metadata ? "metadata" : "data",
      ...(r.subset ? { subset: r.subset } : {}),
      ok: r.ok,
      errors: r.errors,
      brokenPacks: r.brokenPacks,
      durationMs: r.durationMs,
      ...(r.error ? { error: r.error } : {}),
      cycle: { done: r.row.done, of: r.row.slices },
    });
    void this.o.outbox.flush();
  }
}
