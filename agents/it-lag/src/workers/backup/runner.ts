import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { ConcurrencyLimit, type Clock } from "@lag/async";
import type { Bus } from "@lag/bus";
import { backupEvent, compactTime, formatBytes, type BackupEvent } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import type { BackupAlerts } from "./alerts.ts";
import type { BackupConfig, PlanConfig } from "./config.ts";
import type { ContainerHooks } from "./hooks.ts";
import { ping } from "./ping.ts";
import { progressPublisher } from "./progress.ts";
import { ResticError, type BackupOutcome, type Restic } from "./restic/restic.ts";
import { ADHOC_TRIGGER, type Catalogue, type Part, type RunRepositoryRow, type RunStatus } from "./store/catalogue.ts";

export type Trigger = "schedule" | "manual" | "missed" | typeof ADHOC_TRIGGER;

/** The tag of an ad-hoc run's snapshots: drills and restores of the plan pick its own snapshots, not these. */
export const ADHOC_TAG = "adhoc";

/** An ad-hoc run: some of the plan's folders, asked for by another agent. */
export interface Adhoc {
  paths: string[];
  requestedBy: string;
  reason?: string;
}
type Step = Extract<BackupEvent, { kind: "failed" }>["step"];

export interface RunnerOptions {
  cfg: BackupConfig;
  host: string;
  catalogue: Catalogue;
  alerts: BackupAlerts;
  hooks: ContainerHooks;
  outbox: Outbox;
  bus: Bus;
  restic: (repository: string) => Restic;
  /** The docker CLI and its endpoint flags, for a dump run as restic's `--stdin-from-command`. */
  dockerCli: { program: string; args: readonly string[] };
  clock: Clock;
  log: Logger;
  signal: AbortSignal;
}

/** The tags that mark a plan's snapshots: retention and drills look for them. */
export function planTag(plan: string): string {
  return `plan:${plan}`;
}

/** The tag of a snapshot's part: a plan's files and its dump are snapshots of their own. */
export function partTag(part: Part): string {
  return `part:${part}`;
}

/** The plan as an ad-hoc run sees it: only the asked folders, no hooks, no dump, tagged `adhoc`. */
export function adhocPlan(plan: PlanConfig, adhoc: Adhoc): PlanConfig {
  return { ...plan, paths: adhoc.paths, hooks: { ...plan.hooks, stop: [], dump: undefined }, tags: [...plan.tags, ADHOC_TAG] };
}

/** `run-20261123-030000-immich-a1b2`: sortable, readable, unique. */
export function newRunId(plan: string, at: Date): string {
  return `run-${compactTime(at)}-${plan}-${randomBytes(2).toString("hex")}`;
}

function stepOf(err: unknown, fallback: Step): Step {
  if (err instanceof ResticError && err.failure === "unreachable") return "backup";
  if (err instanceof ResticError && err.failure === "locked") return "lock";
  if (err instanceof ResticError && err.failure === "interrupted") return "interrupted";
  return fallback;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Runs a plan: stop hooks → for each repository (one run at a time per repository) back up the
 * paths and the dump, apply retention → start the containers again, always. (A repository left
 * locked by a killed run is cleared by Restic itself.)
 * Every step is an event in LAG_IT_BACKUPS and a row in the catalogue; a failure is an alert per
 * plan and repository, resolved by the next success there.
 */
export class BackupRunner {
  private readonly running = new Map<string, { runId: string; done: Promise<RunStatus> }>();
  private readonly locks = new Map<string, ConcurrencyLimit>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly o: RunnerOptions) {}

  plan(name: string): PlanConfig | undefined {
    return this.o.cfg.plans.find((p) => p.name === name);
  }

  runningRun(plan: string): string | undefined {
    return this.running.get(plan)?.runId;
  }

  /** One run at a time per repository, whichever plan or operation (a backup, a check, a restore) asks. */
  withRepository<T>(repository: string, task: () => Promise<T>): Promise<T> {
    let lock = this.locks.get(repository);
    if (!lock) this.locks.set(repository, (lock = new ConcurrencyLimit(1)));
    return lock.run(task);
  }

  /**
   * Starts a run in the background unless one of the plan is under way; it goes on whoever asked.
   * An ad-hoc run backs up only its folders (inside the plan's paths) into the plan's repositories,
   * under its retention, without its hooks or dump, its snapshots tagged `adhoc`.
   */
  start(plan: PlanConfig, trigger: Trigger, adhoc?: Adhoc): { runId: string; started: boolean; done: Promise<RunStatus> } {
    const held = this.running.get(plan.name);
    if (held) return { runId: held.runId, started: false, done: held.done };
    const runId = newRunId(plan.name, this.o.clock.now());
    const done = this.run(adhoc ? adhocPlan(plan, adhoc) : plan, adhoc ? ADHOC_TRIGGER : trigger, runId, adhoc)
      .catch((err: Error) => {
        this.o.log.error({ plan: plan.name, runId, err }, "backup run crashed");
        return "failed" as const;
      })
      .finally(() => this.running.delete(plan.name));
    this.running.set(plan.name, { runId, done });
    return { runId, started: true, done };
  }

  /**
   * Keeps a background operation (a check, a drill, a restore) in view, so shutdown waits for it;
   * a failure is logged, never an unhandled rejection.
   */
  track<T>(what: string, work: Promise<T>): Promise<T | undefined> {
    const p = work.catch((err: Error) => {
      this.o.log.error({ err }, `${what} failed`);
      return undefined;
    });
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    return p;
  }

  /** Every run and operation under way (for shutdown: they are interrupted by the signal, then awaited). */
  async settle(): Promise<void> {
    await Promise.allSettled([...[...this.running.values()].map((r) => r.done), ...this.inFlight]);
  }

  private now(): number {
    return this.o.clock.now().getTime();
  }

  private at(): string {
    return this.o.clock.now().toISOString();
  }

  private publish(e: BackupEvent): void {
    this.o.outbox.add(backupEvent, e);
    void this.o.outbox.flush();
  }

  private async run(plan: PlanConfig, trigger: Trigger, runId: string, adhoc?: Adhoc): Promise<RunStatus> {
    const { catalogue, log } = this.o;
    const started = this.now();
    catalogue.startRun({ id: runId, plan: plan.name, trigger, startedAt: started });
    const asked = adhoc ? { paths: adhoc.paths, requestedBy: adhoc.requestedBy, ...(adhoc.reason ? { reason: adhoc.reason } : {}) } : {};
    this.publish({ kind: "started", plan: plan.name, runId, at: this.at(), repositories: plan.repositories, trigger, ...asked });
    log.info({ plan: plan.name, runId, trigger, repositories: plan.repositories, ...asked }, `backup ${plan.name} started`);
    // The plan's dead-man's switch watches its own schedule, not what others ask for.
    const pingPlan = adhoc ? undefined : plan.ping;
    void ping(pingPlan, "start", log);

    const results: { repository: string; ok: boolean; partial: boolean; error?: string }[] = [];
    let hookError: string | undefined;
    try {
      await this.o.hooks.stopAll(plan, runId, () => this.now());
    } catch (err) {
      hookError = (err as Error).message;
      this.publish({ kind: "failed", plan: plan.name, runId, at: this.at(), step: "hook", error: hookError });
    }
    try {
      if (!hookError)
        for (const repository of plan.repositories) {
          if (this.o.signal.aborted) break;
          results.push(await this.withRepository(repository, () => this.toRepository(plan, runId, repository)));
        }
    } finally {
      const notStarted = await this.o.hooks.startAll(runId);
      for (const f of notStarted) {
        this.publish({
          kind: "failed",
          plan: plan.name,
          runId,
          at: this.at(),
          step: "hook",
          error: `container ${f.container} did not start again: ${f.error}`,
        });
        this.o.alerts.fire({
          rule: "backup-failed",
          severity: "critical",
          summary: `container ${f.container} stopped for backup ${plan.name} did not start again: ${f.error}`,
          labels: { plan: plan.name, container: f.container },
        });
      }
      if (notStarted.length === 0)
        for (const c of plan.hooks.stop)
          this.o.alerts.resolve("backup-failed", { plan: plan.name, container: c }, `container ${c} is running again`);
    }

    const okCount = results.filter((r) => r.ok).length;
    const interrupted = this.o.signal.aborted && okCount < plan.repositories.length;
    const status: Exclude<RunStatus, "running"> = interrupted
      ? "interrupted"
      : hookError || okCount === 0
        ? "failed"
        : okCount < plan.repositories.length || results.some((r) => r.partial)
          ? "partial"
          : "ok";
    // restic's errors name their repository already.
    const named = (r: (typeof results)[number]) =>
      r.error && (r.error.startsWith(`${r.repository}:`) ? r.error : `${r.repository}: ${r.error}`);
    const errors = [hookError, ...results.map(named)].filter(Boolean).join("; ");
    catalogue.finishRun(runId, status, this.now(), errors || undefined);
    this.publish({
      kind: "finished",
      plan: plan.name,
      runId,
      at: this.at(),
      status,
      durationMs: this.now() - started,
      ...(errors ? { error: errors } : {}),
    });
    if (hookError) {
      this.o.alerts.fire({
        rule: "backup-failed",
        severity: "high",
        summary: `backup ${plan.name} did not run: ${hookError}`,
        labels: { plan: plan.name, step: "hook" },
      });
    } else this.o.alerts.resolve("backup-failed", { plan: plan.name, step: "hook" }, `backup ${plan.name}: its hooks ran`);
    if ((status === "ok" || status === "partial") && !adhoc) {
      this.o.alerts.resolve("backup-missed", { plan: plan.name }, `backup ${plan.name} succeeded at ${this.at()}`);
      this.o.alerts.resolve("backup-failed", { plan: plan.name, step: "interrupted" }, `backup ${plan.name} succeeded again`);
    }
    const seconds = Math.round((this.now() - started) / 100) / 10;
    log.info({ plan: plan.name, runId, status, seconds, errors: errors || undefined }, `backup ${plan.name} ${status} in ${seconds} s`);
    void ping(pingPlan, status === "ok" || status === "partial" ? "success" : "fail", log, errors || `${status} in ${seconds} s`);
    return status;
  }

  /** One repository: the files, the dump, retention. Never throws: what failed is an event and an alert. */
  private async toRepository(
    plan: PlanConfig,
    runId: string,
    repository: string,
  ): Promise<{ repository: string; ok: boolean; partial: boolean; error?: string }> {
    const restic = this.o.restic(repository);
    const labels = { plan: plan.name, repository };
    const fail = (step: Step, err: unknown): { repository: string; ok: false; partial: false; error: string } => {
      const error = (err as Error).message;
      this.publish({ kind: "failed", plan: plan.name, runId, at: this.at(), repository, step: stepOf(err, step), error });
      this.o.catalogue.recordRepository({
        runId,
        repository,
        part: step === "dump" ? "dump" : "files",
        status: "failed",
        snapshotId: null,
        filesNew: null,
        filesChanged: null,
        filesProcessed: null,
        bytesAdded: null,
        bytesProcessed: null,
        durationMs: null,
        error,
        finishedAt: this.now(),
      });
      if (!this.o.signal.aborted)
        this.o.alerts.fire({
          rule: "backup-failed",
          severity: "high",
          summary: `backup ${plan.name} to ${repository} failed: ${error}`,
          labels,
        });
      return { repository, ok: false, partial: false, error };
    };

    const tags = [planTag(plan.name), ...plan.tags];
    let partial = false;
    if (plan.paths.length > 0) {
      const emit = progressPublisher(
        this.o.bus,
        this.o.cfg.progressInterval,
        { plan: plan.name, runId, repository, operation: "backup" },
        () => this.now(),
      );
      // restic skips a source path that does not exist and still exits 0: an unmounted disk would pass unseen.
      const present = plan.paths.filter((p) => existsSync(p));
      const absent = plan.paths.filter((p) => !present.includes(p));
      try {
        if (present.length === 0) throw new Error(`none of the plan's paths exists: ${absent.join(", ")}`);
        const out = await restic.backup({
          paths: present,
          excludes: plan.exclude,
          tags: [...tags, partTag("files")],
          host: this.o.host,
          signal: this.o.signal,
          onSpawn: (pid) => this.o.catalogue.setPid(runId, pid),
          onStatus: emit,
        });
        out.unreadable.unshift(...absent.map((p) => `${p} (does not exist)`));
        partial = out.unreadable.length > 0;
        this.completed(plan, runId, repository, "files", out);
      } catch (err) {
        return fail("backup", err);
      }
    }
    const dump = plan.hooks.dump;
    if (dump) {
      try {
        const out = await restic.backup({
          paths: [],
          tags: [...tags, partTag("dump")],
          host: this.o.host,
          stdinFromCommand: {
            command: [this.o.dockerCli.program, ...this.o.dockerCli.args, "exec", dump.container, ...dump.command],
            filename: dump.filename,
          },
          timeoutMs: dump.timeout,
          signal: this.o.signal,
          onSpawn: (pid) => this.o.catalogue.setPid(runId, pid),
        });
        this.completed(plan, runId, repository, "dump", out);
      } catch (err) {
        return fail("dump", err);
      }
    }
    this.o.alerts.resolve("backup-failed", labels, `backup ${plan.name} to ${repository} succeeded`);
    await this.retain(plan, runId, repository, restic);
    return { repository, ok: true, partial };
  }

  private completed(plan: PlanConfig, runId: string, repository: string, part: Part, out: BackupOutcome): void {
    const s = out.summary;
    const figures = {
      filesNew: s.files_new,
      filesChanged: s.files_changed,
      filesProcessed: s.total_files_processed,
      bytesAdded: s.data_added,
      bytesProcessed: s.total_bytes_processed,
      durationMs: out.durationMs,
    };
    const unreadable = out.unreadable.length;
    const row: RunRepositoryRow = {
      runId,
      repository,
      part,
      status: unreadable > 0 ? "partial" : "ok",
      snapshotId: s.snapshot_id ?? null,
      ...figures,
      error: unreadable > 0 ? `${unreadable} files could not be read: ${out.unreadable.slice(0, 5).join(", ")}` : null,
      finishedAt: this.now(),
    };
    if (!plan.tags.includes(ADHOC_TAG)) this.anomalies(plan, row);
    this.o.catalogue.recordRepository(row);
    this.publish({
      kind: "completed",
      plan: plan.name,
      runId,
      at: this.at(),
      repository,
      part,
      snapshotId: s.snapshot_id!,
      ...figures,
      unreadable: out.unreadable.slice(0, 100),
    });
  }

  /** A run far smaller than usual (an empty dump), or one that changed nothing where every run so far changed something. */
  private anomalies(plan: PlanConfig, row: RunRepositoryRow): void {
    const a = this.o.cfg.anomaly;
    const labels = { plan: plan.name, repository: row.repository, part: row.part };
    const history = this.o.catalogue.goodHistory(plan.name, row.repository, row.part as Part, a.history, row.runId);
    if (history.length < 3) return;
    const what = row.part === "dump" ? `the dump ${plan.hooks.dump?.filename}` : `the files of ${plan.name}`;
    const bytes = row.bytesProcessed ?? 0;
    const medianBytes = median(history.map((h) => h.bytesProcessed ?? 0));
    const changedBefore = history.every((h) => (h.filesNew ?? 0) + (h.filesChanged ?? 0) > 0);
    const changedNow = (row.filesNew ?? 0) + (row.filesChanged ?? 0) > 0;
    const medianMs = median(history.map((h) => h.durationMs ?? 0));
    let why: string | undefined;
    if (medianBytes > 0 && bytes < a.smallerThan * medianBytes)
      why = `${what} in ${row.repository} is ${formatBytes(bytes)}, the median of the last ${history.length} is ${formatBytes(medianBytes)}`;
    else if (changedBefore && !changedNow && (row.bytesAdded ?? 0) === 0 && (row.durationMs ?? 0) < a.fasterThan * medianMs)
      why = `${what} in ${row.repository} changed nothing and took ${Math.round(row.durationMs ?? 0)} ms, where each of the last ${history.length} runs changed files and took ${Math.round(medianMs)} ms at the median`;
    if (why) this.o.alerts.fire({ rule: "backup-anomaly", severity: "medium", summary: why, labels, value: bytes, threshold: medianBytes });
    else this.o.alerts.resolve("backup-anomaly", labels, `${what} in ${row.repository} looks as usual again`);
  }

  /** forget + prune by the plan's policy, over the plan's own snapshots only. */
  private async retain(plan: PlanConfig, runId: string, repository: string, restic: Restic): Promise<void> {
    const labels = { plan: plan.name, repository, step: "retention" };
    try {
      const r = await restic.forget(plan.retention, {
        tags: [planTag(plan.name)],
        prune: true,
        signal: this.o.signal,
        onSpawn: (pid) => this.o.catalogue.setPid(runId, pid),
      });
      this.publish({ kind: "pruned", plan: plan.name, runId, at: this.at(), repository, kept: r.keep.length, removed: r.remove.length });
      this.o.alerts.resolve("backup-failed", labels, `retention of ${plan.name} in ${repository} applied`);
    } catch (err) {
      const error = (err as Error).message;
      this.publish({ kind: "failed", plan: plan.name, runId, at: this.at(), repository, step: stepOf(err, "forget"), error });
      if (!this.o.signal.aborted)
        this.o.alerts.fire({
          rule: "backup-failed",
          severity: "medium",
          summary: `retention of ${plan.name} in ${repository} failed (the new snapshot is safe): ${error}`,
          labels,
        });
    }
  }
}
