import type { CheckResult } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { CheckConfig } from "./check-config.ts";
import { ConcurrencyLimit, Scheduler, sleep } from "@lag/async";
import { runCheck } from "./run-check.ts";

/**
 * Ten checks of 5 s timeouts against a dead NAS would otherwise all hold sockets at once; four at
 * a time keeps the monitor's own footprint small and still runs ten healthy checks well within 1 s.
 */
export const DEFAULT_CONCURRENCY = 4;

export interface CheckRunnerOptions {
  /** This monitor's host name, stamped on every result (a subject token). */
  host: string;
  checks: readonly CheckConfig[];
  /** The interval of checks that set none: the monitor's own. */
  defaultIntervalMs: number;
  /** Called with every result (the worker publishes it and feeds rules and history); awaited. */
  onResult(result: CheckResult): void | Promise<void>;
  log: Logger;
  concurrency?: number;
  now?: () => Date;
}

/**
 * Runs each configured check on its own interval. A check never overlaps itself: its next run is
 * due one interval after the previous one was due, and slots missed while a slow run (or the queue
 * for a concurrency slot) held it are skipped rather than run back to back. The first runs start
 * at `start()`.
 */
export class CheckRunner {
  private readonly results = new Map<string, CheckResult>();
  private readonly scheduler: Scheduler;
  private readonly limit: ConcurrencyLimit;
  private readonly now: () => Date;
  private started = false;
  private stopped = false;

  constructor(private readonly opts: CheckRunnerOptions) {
    this.limit = new ConcurrencyLimit(opts.concurrency ?? DEFAULT_CONCURRENCY);
    this.now = opts.now ?? (() => new Date());
    this.scheduler = new Scheduler(opts.log);
  }

  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    for (const check of this.opts.checks) {
      const every = check.interval ?? this.opts.defaultIntervalMs;
      this.scheduler.add(`check ${check.name}`, { every, runAtStart: true }, () => this.limit.run(() => this.runOnce(check)));
    }
  }

  /** The latest result of every check that has run, in the order of the config. */
  latest(): CheckResult[] {
    return this.opts.checks.flatMap((c) => this.results.get(c.name) ?? []);
  }

  /**
   * Resolves once every check has a result, or after `timeoutMs`. The monitor waits for this
   * before its first round: a check with no result yet looks like a series that disappeared,
   * which would resolve (and, a round later, re-fire) an alert that was firing before a restart.
   */
  async firstResults(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.results.size < this.opts.checks.length && performance.now() < deadline && !this.stopped) {
      await sleep(20);
    }
  }

  /** Starts no new run and resolves once the runs in progress (and their onResult) are over. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.scheduler.stopAll();
  }

  /** Never rejects: checks turn failures into results, and a failing onResult is logged here. */
  private async runOnce(check: CheckConfig): Promise<void> {
    // Queued for a slot when stop() came: abandoned, not started.
    if (this.stopped) return;
    const result: CheckResult = { host: this.opts.host, ...(await runCheck(check, this.now)) };
    this.results.set(check.name, result);
    try {
      await this.opts.onResult(result);
    } catch (err) {
      this.opts.log.error(
        { err, check: check.name },
        `handling the result of check ${check.name} failed; it runs again at its next interval`,
      );
    }
  }
}
