/*
 * The roll-up tables' INTEGER PRIMARY KEY packs (series id, bucket) into one integer so that the
 * table is ordered by series then time (schema.ts says why). Computed in JS, where it must stay
 * below 2^53 to be exact: 2^32 buckets per series, series ids below 2^21.
 */

const SERIES_FACTOR = 2 ** 32;

/** Highest series id a roll-up key can hold exactly. */
export const MAX_SERIES_ID = 2 ** 21 - 1;

/** The key of the bucket starting at `bucketMs` (aligned to `widthMs`). */
export function rollupKey(seriesId: number, bucketMs: number, widthMs: number): number {
  return seriesId * SERIES_FACTOR + bucketMs / widthMs;
}

/** `[lo, hi)` of the keys of one series' buckets that start in `[fromMs, toMs)`. */
export function rollupKeyRange(seriesId: number, fromMs: number, toMs: number, widthMs: number): { lo: number; hi: number } {
  const base = seriesId * SERIES_FACTOR;
  return {
    lo: base + Math.max(0, Math.ceil(fromMs / widthMs)),
    hi: base + Math.min(SERIES_FACTOR, Math.max(0, Math.ceil(toMs / widthMs))),
  };
}

/** Every key of one series. */
export function seriesKeyRange(seriesId: number): { lo: number; hi: number } {
  return { lo: seriesId * SERIES_FACTOR, hi: (seriesId + 1) * SERIES_FACTOR };
}
