import type { Clock } from "@lag/async";

/**
 * A clock that moves only when a test says so. `advance(ms)` fires every timer that falls due on
 * the way, in time order, letting the promise jobs each one starts settle before the next fires
 * (a scheduled task that awaits something finishes before the clock moves on).
 */
export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start: Date | string = "2026-12-01T00:00:00Z") {
    this.t = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.t);
  }

  after(ms: number, fn: () => void): () => void {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + Math.max(0, ms), fn });
    return () => this.timers.delete(id);
  }

  /** Timers waiting, earliest first (for assertions on what is scheduled). */
  pending(): Date[] {
    return [...this.timers.values()]
      .map((x) => x.at)
      .sort((a, b) => a - b)
      .map((at) => new Date(at));
  }

  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (!next || e[1].at < next[1].at)) next = e;
      if (!next) break;
      this.timers.delete(next[0]);
      this.t = Math.max(this.t, next[1].at);
      next[1].fn();
    }
    this.t = end;
    await settle();
  }

  /** Moves to a wall-clock time: `await clock.advanceTo("2026-12-01T07:00:00+01:00")`. */
  advanceTo(time: Date | string): Promise<void> {
    return this.advance(new Date(time).getTime() - this.t);
  }
}

/** Lets queued promise jobs run (a few macrotask turns, so chains of awaits settle too). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
