import type { WindowFunction } from "./rule-config.ts";

/** One observation of a series: [epoch ms, value]. Tuples keep the persisted state small. */
export type Point = [number, number];

/** The points still inside the window ending at `now`, with the new one appended. */
export function slide(points: readonly Point[], now: number, value: number, windowMs: number): Point[] {
  const from = now - windowMs;
  const kept = points.filter(([t]) => t >= from && t <= now);
  kept.push([now, value]);
  return kept;
}

/** Drops what fell out of the window; used while a series is absent, so its history ages out. */
export function expire(points: readonly Point[], now: number, windowMs: number): Point[] {
  return points.filter(([t]) => t >= now - windowMs);
}

export function applyWindow(fn: WindowFunction, points: readonly Point[]): number {
  const values = points.map(([, v]) => v);
  switch (fn) {
    case "increase":
      return increase(values);
    case "avg":
      return values.reduce((a, b) => a + b, 0) / values.length;
    case "max":
      return Math.max(...values);
    case "min":
      return Math.min(...values);
  }
}

/**
 * How much a counter grew. A drop means the counter started again from zero (a container recreated
 * under the same name has a restart count of 0 again), so the new value counts as growth from zero
 * instead of as a large negative step — Prometheus' `increase` treats resets the same way.
 */
function increase(values: readonly number[]): number {
  let total = 0;
  for (let i = 1; i < values.length; i++) {
    const prev = values[i - 1]!;
    const cur = values[i]!;
    total += cur >= prev ? cur - prev : cur;
  }
  return total;
}
