import { UPTIME_WINDOWS, type CheckUptime, type Silence, type UptimeDay, type UptimeWindow, type UptimeWindowName } from "@lag/contracts";
import { compileMatch } from "../../../label-match.ts";
import { HOUR_MS, MINUTE_MS } from "./buckets.ts";
import { decodeBins, mergeInto, quantiles, type Bins } from "./histogram.ts";
import type { LocalDay } from "./local-days.ts";
import type { HistoryOptions } from "./options.ts";
import { rollupKeyRange } from "./rollup-key.ts";
import type { SeriesEntry } from "./series-cache.ts";
import type { Statements } from "./statements.ts";

export interface UptimeInput {
  host: string;
  now: number;
  /** Only these checks; every check with history by default. */
  checks?: readonly string[];
  days: readonly LocalDay[];
  silences: readonly Silence[];
  /** Leave out the time the check's silences cover (they are listed either way). */
  exclude: boolean;
}

type Span = readonly [number, number];

const overlaps = (a: number, b: number, spans: readonly Span[]) => spans.some(([s, e]) => s < b && a < e);

interface Sums {
  sum: number;
  count: number;
  measuredMs: number;
  excludedMs: number;
}

/**
 * Availability is the mean of `check.up` (1 up, 0 down, sampled every monitor round) over the
 * span, summed from the roll-ups' sum and count: 1-minute buckets while they are kept (30 days by
 * default), hourly ones beyond. A bucket a silence touches is left out whole when exclusion is
 * asked, so a maintenance window is cut to the minute (to the hour past the minute roll-ups).
 */
function availability(st: Statements, id: number, fromMs: number, toMs: number, widthMs: number, spans: readonly Span[]): Sums {
  const out: Sums = { sum: 0, count: 0, measuredMs: 0, excludedMs: 0 };
  const source = widthMs === MINUTE_MS ? "1m" : "1h";
  for (const [bucket, sum, count] of st.rollupSums[source].all(rollupKeyRange(id, fromMs, toMs, widthMs)) as [number, number, number][]) {
    if (overlaps(bucket, bucket + widthMs, spans)) {
      out.excludedMs += widthMs;
      continue;
    }
    out.sum += sum;
    out.count += count;
    out.measuredMs += widthMs;
  }
  return out;
}

function figures(s: Sums): Omit<UptimeDay, "day"> {
  const share = s.count > 0 ? s.sum / s.count : undefined;
  return {
    availabilityPct: share === undefined ? null : Math.round(share * 100_000) / 1000,
    measuredSec: Math.round(s.measuredMs / 1000),
    downSec: share === undefined ? 0 : Math.round((s.measuredMs * (1 - share)) / 1000),
    excludedSec: Math.round(s.excludedMs / 1000),
  };
}

/** The hourly latency histograms of the hours starting in [from, to), less those a span touches. */
function latencyBins(st: Statements, id: number | undefined, fromMs: number, toMs: number, spans: readonly Span[]): Bins {
  const bins: Bins = new Map();
  if (id === undefined) return bins;
  for (const [key, text] of st.histograms.all(rollupKeyRange(id, fromMs, toMs, HOUR_MS)) as [number, string][]) {
    const hour = (key % 2 ** 32) * HOUR_MS;
    if (!overlaps(hour, hour + HOUR_MS, spans)) mergeInto(bins, decodeBins(text));
  }
  return bins;
}

const round1 = (v: number | undefined) => (v === undefined ? null : Math.round(v * 10) / 10);

/** Every check's uptime figures, from the roll-ups and hourly histograms of `check.up` and `check.latency_ms`. */
export function computeUptime(st: Statements, all: readonly SeriesEntry[], options: HistoryOptions, q: UptimeInput): CheckUptime[] {
  const up = all.filter((s) => s.metric === "check.up" && (!q.checks || q.checks.includes(s.labels.check ?? "")));
  const latency = new Map(all.filter((s) => s.metric === "check.latency_ms").map((s) => [`${s.labels.check}/${s.labels.kind}`, s.id]));
  const longest = Math.max(...Object.values(UPTIME_WINDOWS));
  const out: CheckUptime[] = [];
  for (const series of up) {
    const check = series.labels.check ?? "";
    const kind = series.labels.kind ?? "";
    const matching = q.silences.filter((s) => compileMatch(s.matchers)({ host: q.host, check, kind }));
    const endOf = (s: Silence) => Math.min(Date.parse(s.endsAt), s.expiredAt ? Date.parse(s.expiredAt) : Number.POSITIVE_INFINITY);
    const shown = matching.filter((s) => endOf(s) > q.now - longest && Date.parse(s.startsAt) < q.now);
    const spans: Span[] = q.exclude ? shown.map((s) => [Date.parse(s.startsAt), endOf(s)] as const) : [];
    const widthFor = (fromMs: number) => (fromMs >= q.now - options.rollup1mRetentionMs ? MINUTE_MS : HOUR_MS);
    const latencyId = latency.get(`${check}/${kind}`);
    const windows: UptimeWindow[] = (Object.entries(UPTIME_WINDOWS) as [UptimeWindowName, number][]).map(([window, ms]) => {
      const from = q.now - ms;
      const [p50, p95, p99] = quantiles(latencyBins(st, latencyId, from, q.now + 1, spans), [0.5, 0.95, 0.99]);
      return {
        window,
        ...figures(availability(st, series.id, from, q.now + 1, widthFor(from), spans)),
        p50Ms: round1(p50),
        p95Ms: round1(p95),
        p99Ms: round1(p99),
      };
    });
    const days = q.days.map((d) => ({
      day: d.day,
      ...figures(availability(st, series.id, d.fromMs, Math.min(d.toMs, q.now + 1), widthFor(d.fromMs), spans)),
    }));
    out.push({
      check,
      kind,
      windows,
      days,
      silences: shown.map((s) => ({
        id: s.id,
        startsAt: s.startsAt,
        endsAt: new Date(endOf(s)).toISOString(),
        note: s.note,
        createdBy: s.createdBy,
      })),
    });
  }
  return out.sort((a, b) => a.check.localeCompare(b.check));
}
