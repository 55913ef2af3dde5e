import { Cron } from "croner";
import { systemClock, type Clock } from "./clock.ts";

/** When a task runs: every `every` ms, or at the times of a cron expression in a time zone. */
export type Schedule =
  | { every: number; runAtStart?: boolean }
  | {
      /** Five fields (minute hour day month weekday) or six with seconds first: `0 3 * * *`. */
      cron: string;
      /** IANA time zone the expression is read in (`Europe/Madrid`); the host's own by default. */
      timezone?: string;
      runAtStart?: boolean;
    };

/** The part of a logger the scheduler writes to (a pino logger fits). */
export interface TaskLog {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ScheduledTask {
  readonly name: string;
  /** Runs the task now unless it is running; resolves when that run (or the one in progress) is over. */
  runNow(): Promise<void>;
  /** When it runs next, or undefined once stopped. */
  nextRun(): Date | undefined;
  /** Starts no new run; resolves once the run in progress is over. */
  stop(): Promise<void>;
  /** Whether a run is in progress. */
  readonly running: boolean;
}

export class ScheduleError extends Error {
  override readonly name = "ScheduleError";
  readonly code = "LAG_SCHEDULE";
}

/** A cron expression checked at once, with the time zone it is read in; throws ScheduleError naming what is wrong. */
export function compileCron(expression: string, timezone?: string): Cron {
  let cron: Cron;
  try {
    cron = new Cron(expression, { paused: true, ...(timezone ? { timezone } : {}) });
    // An unknown time zone only fails when a date is computed.
    cron.nextRun(new Date());
  } catch (err) {
    const why = (err as Error).message.replace(/\. Original error:.*/s, "");
    throw new ScheduleError(`cron ${JSON.stringify(expression)}${timezone ? ` in ${timezone}` : ""}: ${why}`);
  }
  return cron;
}

/** How long to wait before the next run of a schedule, from `now` and the time the last run was due. */
function nextDue(schedule: Schedule, cron: Cron | undefined, now: Date, lastDue: number | undefined): number | undefined {
  if (cron) return cron.nextRun(now)?.getTime();
  const every = (schedule as { every: number }).every;
  if (lastDue === undefined) return now.getTime() + every;
  // Fixed rate: one interval after the last run was due. Slots missed while a run overran are
  // skipped rather than run back to back.
  const late = now.getTime() - lastDue;
  return lastDue + every * Math.max(1, Math.ceil((late + 1) / every));
}

/**
 * Runs async work on an interval or a cron schedule. Runs of one task never overlap, and a failure
 * never escapes: a task that throws is logged and runs again at its next time — a timer that throws
 * must never kill the process at 3 a.m. `stopAll()` waits for the runs in progress.
 */
export class Scheduler {
  private readonly tasks = new Set<ScheduledTask>();
  private stopped = false;

  constructor(
    private readonly log: TaskLog,
    private readonly clock: Clock = systemClock,
  ) {}

  add(name: string, schedule: Schedule, task: () => Promise<void> | void): ScheduledTask {
    if ("every" in schedule && !(Number.isFinite(schedule.every) && schedule.every > 0)) {
      throw new ScheduleError(`task ${name}: interval must be a positive number of milliseconds, got ${schedule.every}`);
    }
    const cron = "cron" in schedule ? compileCron(schedule.cron, schedule.timezone) : undefined;
    const { clock, log } = this;
    let running: Promise<void> | undefined;
    let cancel: (() => void) | undefined;
    let due: number | undefined;
    let active = !this.stopped;

    const run = (): Promise<void> => {
      if (running) return running;
      const started = clock.now().getTime();
      const current = (async () => {
        try {
          await task();
        } catch (err) {
          log.error({ err, task: name }, `scheduled task ${name} failed; it runs again at its next time`);
        }
        const took = clock.now().getTime() - started;
        if ("every" in schedule && took > schedule.every) {
          log.warn({ task: name, tookMs: took, intervalMs: schedule.every }, `task ${name} took longer than its interval`);
        }
      })();
      const tracked: Promise<void> = current.finally(() => {
        if (running === tracked) running = undefined;
      });
      running = tracked;
      return tracked;
    };

    const arm = () => {
      if (!active) return;
      const now = clock.now();
      const at = nextDue(schedule, cron, now, due);
      if (at === undefined) return; // a cron expression with no future date
      due = at;
      cancel = clock.after(at - now.getTime(), () => {
        cancel = undefined;
        void run().finally(arm);
      });
    };

    const handle: ScheduledTask = {
      name,
      runNow: run,
      nextRun: () => (active && due !== undefined ? new Date(due) : undefined),
      get running() {
        return running !== undefined;
      },
      async stop() {
        active = false;
        cancel?.();
        cancel = undefined;
        await running;
      },
    };
    this.tasks.add(handle);
    if (active) {
      if (schedule.runAtStart) {
        due = clock.now().getTime();
        void run().finally(arm);
      } else {
        arm();
      }
    }
    return handle;
  }

  list(): ScheduledTask[] {
    return [...this.tasks];
  }

  /**
   * Starts no new run and waits for the runs in progress — at most `graceMs` when given (the
   * process is stopping: work that hangs, a publish waiting out a timeout, is abandoned then).
   * Resolves with the names of the tasks still running when it stopped waiting.
   */
  async stopAll(graceMs?: number): Promise<string[]> {
    this.stopped = true;
    const all = Promise.all([...this.tasks].map((t) => t.stop()));
    if (graceMs === undefined) {
      await all;
      return [];
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    return [...this.tasks].filter((t) => t.running).map((t) => t.name);
  }
}
