/** Summary statistics of one run's samples. Percentiles use the nearest-rank method (no interpolation). */

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error("percentile of no samples");
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Latencies given in nanoseconds (hrtime), summarised in microseconds. */
export function summariseLatencies(ns: readonly bigint[]): LatencySummary {
  const us = ns.map((v) => Number(v) / 1000).sort((a, b) => a - b);
  return {
    p50: percentile(us, 50),
    p90: percentile(us, 90),
    p99: percentile(us, 99),
    max: us[us.length - 1]!,
    mean: us.reduce((a, b) => a + b, 0) / us.length,
  };
}

/** Index of the median element by `key` (the lower middle for an even count). */
export function medianIndex<T>(items: readonly T[], key: (t: T) => number): number {
  if (items.length === 0) throw new Error("median of nothing");
  const order = items.map((t, i) => ({ i, v: key(t) })).sort((a, b) => a.v - b.v);
  return order[Math.floor((order.length - 1) / 2)]!.i;
}
