export const SECOND_MS = 1_000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** Start of the bucket of width `width` holding `ts` (buckets aligned to the Unix epoch, so UTC). */
export function alignDown(ts: number, width: number): number {
  return Math.floor(ts / width) * width;
}

export function alignUp(ts: number, width: number): number {
  return Math.ceil(ts / width) * width;
}

export interface Aggregate {
  min: number;
  max: number;
  sum: number;
  count: number;
}

/**
 * min/max/sum/count per (series, bucket) of one ingest transaction. Aggregating in JS first means
 * one UPSERT per bucket instead of one per sample: a bulk load of 10 s samples writes a 1-minute
 * bucket once instead of six times, and an hour bucket once instead of 360 times.
 */
export class BucketAggregator {
  private readonly bySeries = new Map<number, Map<number, Aggregate>>();

  constructor(readonly width: number) {}

  add(seriesId: number, ts: number, value: number): void {
    let buckets = this.bySeries.get(seriesId);
    if (!buckets) this.bySeries.set(seriesId, (buckets = new Map()));
    const bucket = alignDown(ts, this.width);
    const a = buckets.get(bucket);
    if (!a) {
      buckets.set(bucket, { min: value, max: value, sum: value, count: 1 });
      return;
    }
    if (value < a.min) a.min = value;
    if (value > a.max) a.max = value;
    a.sum += value;
    a.count += 1;
  }

  *entries(): Generator<[seriesId: number, bucket: number, agg: Aggregate]> {
    for (const [id, buckets] of this.bySeries) for (const [bucket, a] of buckets) yield [id, bucket, a];
  }
}
