import { HOUR_MS } from "./buckets.ts";

const DAY_MS = 24 * HOUR_MS;

/** How long each kind of data is kept, and how queries and compaction are bounded. */
export interface HistoryOptions {
  /** Raw samples older than this are deleted by `compact` (default 48 h). */
  rawRetentionMs: number;
  /** Per-minute roll-ups (default 30 days). */
  rollup1mRetentionMs: number;
  /** Per-hour roll-ups (default 365 days). */
  rollup1hRetentionMs: number;
  /** A query without `stepSec` gets the smallest round step giving at most this many points (default 500). */
  targetPoints: number;
  /**
   * Ceiling on points in one reply, all series together (default 12,000): a finer step is
   * coarsened to fit. A reply travels as one NATS message, at most 1 MB (infra/nats), and a point
   * is up to ~72 bytes of JSON; 12,000 still carries a week at one minute for one series (10,080).
   */
  maxPoints: number;
  /** Rows deleted per statement by `compact`; it yields to the event loop between chunks (default 5,000). */
  compactChunkRows: number;
}

export const defaultHistoryOptions: HistoryOptions = {
  rawRetentionMs: 48 * HOUR_MS,
  rollup1mRetentionMs: 30 * DAY_MS,
  rollup1hRetentionMs: 365 * DAY_MS,
  targetPoints: 500,
  maxPoints: 12_000,
  compactChunkRows: 5_000,
};

export function historyOptions(o: Partial<HistoryOptions> = {}): HistoryOptions {
  const opts = { ...defaultHistoryOptions, ...o };
  for (const [k, v] of Object.entries(opts)) {
    if (!Number.isFinite(v) || v <= 0) throw new RangeError(`history option ${k} must be a positive number, got ${v}`);
  }
  return opts;
}
