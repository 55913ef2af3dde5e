import { describe, expect, it } from "vitest";
import { HOUR_MS, MINUTE_MS } from "./buckets.ts";
import { MAX_SERIES_ID, rollupKey, rollupKeyRange, seriesKeyRange } from "./rollup-key.ts";

describe("roll-up keys", () => {
  it("are exact integers up to the largest series id and far-future buckets", () => {
    const bucket = Date.UTC(2300, 0, 1);
    const k = rollupKey(MAX_SERIES_ID, bucket, MINUTE_MS);
    expect(Number.isSafeInteger(k)).toBe(true);
    expect(Math.floor(k / 2 ** 32)).toBe(MAX_SERIES_ID);
    expect((k % 2 ** 32) * MINUTE_MS).toBe(bucket);
  });

  it("order a series' buckets by time, and all of one series before the next", () => {
    const b = Date.UTC(2026, 10, 23, 6);
    expect(rollupKey(7, b, HOUR_MS)).toBeLessThan(rollupKey(7, b + HOUR_MS, HOUR_MS));
    expect(rollupKey(7, Date.UTC(9999, 0, 1), HOUR_MS)).toBeLessThan(rollupKey(8, 0, HOUR_MS));
    expect(seriesKeyRange(7).hi).toBe(seriesKeyRange(8).lo);
  });

  it("range over the buckets starting in [from, to), including a bucket at from and not one at to", () => {
    const from = Date.UTC(2026, 10, 23, 5);
    const r = rollupKeyRange(3, from, from + 10 * MINUTE_MS, MINUTE_MS);
    expect(r.lo).toBe(rollupKey(3, from, MINUTE_MS));
    expect(r.hi).toBe(rollupKey(3, from + 10 * MINUTE_MS, MINUTE_MS));
    // An unaligned from starts at the next bucket: the one holding `from` started before it.
    expect(rollupKeyRange(3, from + 1, from + HOUR_MS, MINUTE_MS).lo).toBe(rollupKey(3, from + MINUTE_MS, MINUTE_MS));
  });
});
