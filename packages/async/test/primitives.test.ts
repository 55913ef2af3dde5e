import { describe, expect, it } from "vitest";
import { ManualClock } from "@lag/testing";
import { Backoff, backoffDelay, ConcurrencyLimit, DeadlineError, mapLimit, sleep, withDeadline } from "../src/index.ts";

describe("withDeadline", () => {
  it("rejects at expiry even when the work ignores its signal, and aborts that signal with the error", async () => {
    let seen: AbortSignal | undefined;
    const err = await withDeadline(30, (signal) => {
      seen = signal;
      return new Promise<never>(() => undefined);
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineError);
    expect((err as Error).message).toBe("timed out after 30 ms");
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(err);
  });

  it("uses the caller's error, and passes results and failures through", async () => {
    await expect(withDeadline(10, () => new Promise(() => undefined), { error: () => new Error("Docker did not answer") })).rejects.toThrow(
      "Docker did not answer",
    );
    expect(await withDeadline(1_000, async () => 42)).toBe(42);
    await expect(withDeadline(1_000, () => Promise.reject(new Error("own")))).rejects.toThrow("own");
    await expect(
      withDeadline(1_000, () => {
        throw new Error("sync");
      }),
    ).rejects.toThrow("sync");
  });

  it("stops at once when an outer signal aborts", async () => {
    const outer = new AbortController();
    const p = withDeadline(10_000, () => new Promise(() => undefined), { signal: outer.signal });
    outer.abort(new Error("stopping"));
    await expect(p).rejects.toThrow("stopping");
  });
});

describe("ConcurrencyLimit and mapLimit", () => {
  it("runs at most N at once, in arrival order", async () => {
    const limit = new ConcurrencyLimit(2);
    let active = 0;
    let max = 0;
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4].map((i) =>
        limit.run(async () => {
          active++;
          max = Math.max(max, active);
          order.push(i);
          await sleep(5);
          active--;
        }),
      ),
    );
    expect(max).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(() => new ConcurrencyLimit(0)).toThrow(RangeError);
  });

  it("mapLimit keeps the order of its input", async () => {
    let active = 0;
    let max = 0;
    const out = await mapLimit([30, 10, 20, 5], 2, async (ms, i) => {
      active++;
      max = Math.max(max, active);
      await sleep(ms);
      active--;
      return i;
    });
    expect(out).toEqual([0, 1, 2, 3]);
    expect(max).toBe(2);
  });
});

describe("backoff", () => {
  const o = { initialMs: 100, maxMs: 2_000, jitter: 0 };
  it("grows with failures, caps, and never overflows", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 1_000].map((n) => backoffDelay(n, o))).toEqual([0, 100, 200, 400, 800, 1_600, 2_000, 2_000]);
  });

  it("jitters within ± the share asked for", () => {
    const j = { ...o, jitter: 0.2 };
    expect(backoffDelay(1, { ...j, random: () => 0 })).toBe(80);
    expect(backoffDelay(1, { ...j, random: () => 1 })).toBe(120);
  });

  it("counts only failures, and starts over on success", () => {
    const b = new Backoff(o);
    expect(b.peek()).toBe(0);
    expect(b.failed()).toBe(100);
    expect(b.peek()).toBe(100);
    expect(b.peek()).toBe(100);
    expect(b.failed()).toBe(200);
    b.succeeded();
    expect(b.attempts).toBe(0);
    expect(b.failed()).toBe(100);
  });
});

describe("sleep", () => {
  it("ends early, without rejecting, when its signal aborts, and leaves no timer behind", async () => {
    const clock = new ManualClock();
    const ac = new AbortController();
    let done = false;
    const p = sleep(10_000, ac.signal, clock).then(() => (done = true));
    expect(clock.pending()).toHaveLength(1);
    ac.abort();
    await p;
    expect(done).toBe(true);
    expect(clock.pending()).toHaveLength(0);
  });
});
