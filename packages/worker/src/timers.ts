import type { Logger } from "@lag/log";

export interface Repeating {
  /** Runs the task now (if it is not already running) and resolves when that run is over. */
  runNow(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs async work on an interval without ever overlapping runs, and without letting a failure
 * escape: a task that throws is logged and tried again at the next tick. A timer that throws must
 * never kill the process at 3 a.m. `stop()` waits for the run in progress.
 */
export class Timers {
  private readonly all = new Set<Repeating>();
  private stopped = false;

  constructor(private readonly log: Logger) {}

  every(name: string, intervalMs: number, task: () => Promise<void> | void, opts: { runAtStart?: boolean } = {}): Repeating {
    let running: Promise<void> | undefined;
    let timer: NodeJS.Timeout | undefined;
    let active = true;
    const run = (): Promise<void> => {
      if (running) return running;
      const current = (async () => {
        const started = Date.now();
        try {
          await task();
        } catch (err) {
          this.log.error({ err, task: name }, `scheduled task ${name} failed; it runs again in ${intervalMs} ms`);
        }
        const took = Date.now() - started;
        if (took > intervalMs) this.log.warn({ task: name, tookMs: took, intervalMs }, "task took longer than its interval");
      })();
      // Cleared after assignment: a task that fails synchronously settles before `running` is set.
      running = current.finally(() => {
        if (running === tracked) running = undefined;
      });
      const tracked = running;
      return running;
    };
    const schedule = () => {
      if (!active) return;
      timer = setTimeout(() => void run().finally(schedule), intervalMs);
    };
    const r: Repeating = {
      runNow: run,
      async stop() {
        active = false;
        if (timer) clearTimeout(timer);
        await running;
      },
    };
    this.all.add(r);
    if (this.stopped) active = false;
    else if (opts.runAtStart) void run().finally(schedule);
    else schedule();
    return r;
  }

  async stopAll(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.all].map((r) => r.stop()));
  }
}
