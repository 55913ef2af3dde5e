import { alignDown, alignUp, HOUR_MS, MINUTE_MS, SECOND_MS } from "./buckets.ts";
import type { HistoryOptions } from "./options.ts";

export type Source = "raw" | "1m" | "1h";

/** Width of one row of each source: a query step must be a multiple of it to re-bucket exactly. */
export const sourceResolutionMs: Record<Source, number> = { raw: SECOND_MS, "1m": MINUTE_MS, "1h": HOUR_MS };

export interface RangeRequest {
  from?: string;
  to?: string;
  stepSec?: number;
}

/** What a query reads: `[fromMs, toMs)` aligned to `stepMs`, from `source`. */
export interface QueryPlan {
  fromMs: number;
  toMs: number;
  stepMs: number;
  source: Source;
}

export class HistoryRangeError extends Error {
  readonly code = "HISTORY_RANGE";
  constructor(message: string) {
    super(message);
    this.name = "HistoryRangeError";
  }
}

const DEFAULT_RANGE_MS = HOUR_MS;
/** Round steps for charts; past a day, whole days. */
const NICE_STEPS_SEC = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/** The smallest round step (seconds) that covers `rangeMs` in at most `points` steps. */
export function niceStepSec(rangeMs: number, points: number): number {
  const wanted = rangeMs / SECOND_MS / points;
  for (const s of NICE_STEPS_SEC) if (s >= wanted) return s;
  return Math.ceil(wanted / 86_400) * 86_400;
}

/**
 * Picks the data that serves a request. Raw samples when the whole range is inside the raw window
 * and the step is under a minute; the 1-minute roll-up when the step is under an hour and the range
 * is inside its window; otherwise the hourly roll-up. The step is then rounded up to a multiple of
 * the source's resolution (a 90 s step over 1-minute buckets cannot be exact) and the range widened
 * to whole steps, so every returned point covers a full step. A step that would give more than
 * `maxPoints` points for `seriesCount` series is coarsened. Pure: `now` is the caller's clock.
 */
export function planQuery(q: RangeRequest, now: Date, opts: HistoryOptions, seriesCount = 1): QueryPlan {
  const nowMs = now.getTime();
  // Ranges are half-open, [from, to). A defaulted `to` ends just after now so that a sample
  // taken at `now` is in "the last hour"; a later one is clamped there: there is no data past now,
  // and a `to` near the end of the calendar (9999-12-31) would align past what a date can say.
  const to = Math.min(q.to ? Date.parse(q.to) : nowMs + 1, nowMs + 1);
  const from = q.from ? Date.parse(q.from) : to - DEFAULT_RANGE_MS;
  if (!(from < to)) throw new HistoryRangeError(`from (${new Date(from).toISOString()}) must be before to (${new Date(to).toISOString()})`);
  const wantedSec = q.stepSec ?? niceStepSec(to - from, opts.targetPoints);
  const source = chooseSource(from, wantedSec, nowMs, opts);
  const resolution = sourceResolutionMs[source];
  let stepMs = alignUp(wantedSec * SECOND_MS, resolution);
  // Coarsen a step that would make a reply too large, keeping it a multiple of the resolution.
  const floorStepMs = alignUp(((to - from) * Math.max(1, seriesCount)) / opts.maxPoints, resolution);
  if (stepMs < floorStepMs) stepMs = floorStepMs;
  return { fromMs: alignDown(from, stepMs), toMs: alignUp(to, stepMs), stepMs, source };
}

function chooseSource(fromMs: number, stepSec: number, nowMs: number, opts: HistoryOptions): Source {
  if (stepSec < 60 && fromMs >= nowMs - opts.rawRetentionMs) return "raw";
  if (stepSec < 3600 && fromMs >= nowMs - opts.rollup1mRetentionMs) return "1m";
  return "1h";
}
