/**
 * Time as the scheduler and the pure cores see it. Production uses `systemClock`; tests inject a
 * clock they move by hand (ManualClock in @lag/testing), so a 07:00 cron can be tested at once.
 */
export interface Clock {
  now(): Date;
  /** Calls `fn` once `ms` of this clock's time have passed; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => new Date(),
  after(ms, fn) {
    // setTimeout takes at most 2^31-1 ms (24.8 days); a longer wait is taken in steps.
    const MAX = 2 ** 31 - 1;
    let timer: NodeJS.Timeout;
    const arm = (left: number) => {
      timer = setTimeout(() => (left > MAX ? arm(left - MAX) : fn()), Math.min(left, MAX));
    };
    arm(Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};

/** Resolves after `ms`, or at once (without rejecting) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal, clock: Clock = systemClock): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      cancel();
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const cancel = clock.after(ms, done);
    signal?.addEventListener("abort", done, { once: true });
  });
}
