import { seriesKey } from "../samples.ts";
import { alignDown, type Aggregate } from "./buckets.ts";
import type { SampleBatch } from "./history.ts";

/*
 * The brute-force side of the tests: every answer recomputed from the raw samples in plain JS,
 * with nothing shared with the implementation but `seriesKey` and `alignDown`.
 */

export interface FlatSample {
  key: string;
  ts: number;
  value: number;
}

export function flatten(batches: readonly SampleBatch[]): FlatSample[] {
  return batches.flatMap((b) => b.samples.map((s) => ({ key: seriesKey(s.metric, s.labels), ts: b.at.getTime(), value: s.value })));
}

/** `key → bucket → aggregate` of all samples in [fromMs, toMs). */
export function bruteBuckets(
  samples: readonly FlatSample[],
  width: number,
  fromMs = -Infinity,
  toMs = Infinity,
): Map<string, Map<number, Aggregate>> {
  const out = new Map<string, Map<number, Aggregate>>();
  for (const s of samples) {
    if (s.ts < fromMs || s.ts >= toMs) continue;
    const perKey = out.get(s.key) ?? new Map<number, Aggregate>();
    out.set(s.key, perKey);
    const b = alignDown(s.ts, width);
    const a = perKey.get(b) ?? { min: Infinity, max: -Infinity, sum: 0, count: 0 };
    perKey.set(b, a);
    a.min = Math.min(a.min, s.value);
    a.max = Math.max(a.max, s.value);
    a.sum += s.value;
    a.count += 1;
  }
  return out;
}

/** The points a query should return for one series: `[bucket, min, avg, max]`, oldest first. */
export function brutePoints(
  samples: readonly FlatSample[],
  key: string,
  stepMs: number,
  fromMs: number,
  toMs: number,
): [number, number, number, number][] {
  const buckets = bruteBuckets(
    samples.filter((s) => s.key === key),
    stepMs,
    fromMs,
    toMs,
  ).get(key);
  if (!buckets) return [];
  return [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([b, a]) => [b, a.min, a.sum / a.count, a.max]);
}

/**
 * Closeness of two float sums or averages added in another order. The rounding error of a sum is
 * bounded by the size of its terms, not of the result (1e9 - 1e9 + 50), so the caller gives that
 * scale: the largest |value| involved.
 */
export function close(a: number, b: number, scale: number, tolerance = 1e-9): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(1, scale);
}
