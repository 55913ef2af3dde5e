import { UPTIME_WINDOWS, type CheckUptime, type Silence, type UptimeDay, type UptimeWindow, type UptimeWindowName } from "@lag/contracts";
import { compileMatch } from "../../../label-match.ts";
import { DAY_MS, HOUR_MS, MINUTE_MS } from "./buckets.ts";
import { BinTotals } from "./histogram.ts";
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
 * span, summed by SQLite from the roll-ups' sum and count. While the minute roll-ups are kept (30
 * days by default) the span is cut to the minute; beyond, to the hour. The time measured counts
 * whole hours as measured (a check added at 10:10 counts from 10:00). When exclusion is asked, the
 * buckets a silence touches are summed too and taken off, to the minute where minute roll-ups are
 * kept. Spans arrive merged, so no bucket is taken off twice.
 */
function availability(st: Statements, id: number, fromMs: number, toMs: number, widthMs: number, spans: readonly Span[]): Sums {
  const sums = (width: number, a: number, b: number): [number, number, number] => {
    if (a >= b) return [0, 0, 0];
    const [sum, count, buckets] = st.rollupSums[width === MINUTE_MS ? "1m" : "1h"].get(rollupKeyRange(id, a, b, width)) as [
      number,
      number,
      number,
    ];
    return [sum, count, buckets * width];
  };
  // Whole hours from the hourly roll-ups, the minutes before the first and after the last from the
  // minute ones: the same probes, summed from 24 times fewer rows.
  const span = (a: number, b: number): [number, number, number] => {
    if (widthMs !== MINUTE_MS) return sums(HOUR_MS, a, b);
    const h0 = Math.ceil(a / HOUR_MS) * HOUR_MS;
    const h1 = Math.floor(b / HOUR_MS) * HOUR_MS;
    if (h0 >= h1) return sums(MINUTE_MS, a, b);
    const parts = [sums(MINUTE_MS, a, h0), sums(HOUR_MS, h0, h1), sums(MINUTE_MS, h1, b)];
    return parts.reduce((x, y) => [x[0] + y[0], x[1] + y[1], x[2] + y[2]]);
  };
  const [sum, count, measuredMs] = span(fromMs, toMs);
  const out: Sums = { sum, count, measuredMs, excludedMs: 0 };
  for (const [s, e] of spans) {
    // The buckets [s, e) touches that start inside [from, to).
    const a = Math.max(fromMs, Math.floor(s / widthMs) * widthMs);
    const b = Math.min(toMs, e);
    if (a >= b) continue;
    const [xs, xc, xms] = sums(widthMs, a, b);
    out.sum -= xs;
    out.count -= xc;
    out.measuredMs -= xms;
    out.excludedMs += xms;
  }
  return out;
}

/** Overlapping or touching spans as one, in order. */
function merged(spans: readonly Span[]): Span[] {
  const out: [number, number][] = [];
  for (const [s, e] of [...spans].sort((x, y) => x[0] - y[0])) {
    const last = out.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
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

/**
 * A window's latency totals: the histograms of the hours starting in it, less those a span touches.
 * Whole UTC days inside it are read from the daily histograms (a year is 365 rows, not 8,760),
 * except a day a span touches, which is read hour by hour so that only the touched hours leave.
 */
function latencyTotals(st: Statements, id: number | undefined, fromMs: number, toMs: number, spans: readonly Span[]): BinTotals {
  const totals = new BinTotals();
  if (id === undefined) return totals;
  const hours = (a: number, b: number) => {
    for (const [key, text] of st.histogram["1h"].range.all(rollupKeyRange(id, a, b, HOUR_MS)) as [number, string][]) {
      const hour = (key % 2 ** 32) * HOUR_MS;
      if (!overlaps(hour, hour + HOUR_MS, spans)) totals.addEncoded(text);
    }
  };
  const firstDay = Math.ceil(fromMs / DAY_MS) * DAY_MS;
  const endOfDays = Math.floor(toMs / DAY_MS) * DAY_MS;
  if (firstDay >= endOfDays) {
    hours(fromMs, toMs);
    return totals;
  }
  hours(fromMs, firstDay);
  hours(endOfDays, toMs);
  for (const [key, text] of st.histogram["1d"].range.all(rollupKeyRange(id, firstDay, endOfDays, DAY_MS)) as [number, string][]) {
    const day = (key % 2 ** 32) * DAY_MS;
    if (overlaps(day, day + DAY_MS, spans)) hours(day, day + DAY_MS);
    else totals.addEncoded(text);
  }
  return totals;
}

const round1 = (v: number | undefined) => (v === undefined ? null : Math.round(v * 10) / 10);

/** Every check's uptime figures, from the roll-ups of `check.up` and the hourly and daily histograms of `check.latency_ms`. */
export function computeUptime(st: Statements, all: readonly SeriesEntry[], options: HistoryOptions, q: UptimeInput): CheckUptime[] {
  const up = all.filter((s) => s.metric === "check.up" && (!q.checks || q.checks.includes(s.labels.check ?? "")));
  const latency = new Map(all.filter((s) => s.metric === "check.latency_ms").map((s) => [`${s.labels.check}/${s.labels.kind}`, s.id]));
  const longest = Math.max(...Object.values(UPTIME_WINDOWS));
  const silences = q.silences.map((s) => ({ s, matches: compileMatch(s.matchers) }));
  const endOf = (s: Silence) => Math.min(Date.parse(s.endsAt), s.expiredAt ? Date.parse(s.expiredAt) : Number.POSITIVE_INFINITY);
  const out: CheckUptime[] = [];
  for (const series of up) {
    const check = series.labels.check ?? "";
    const kind = series.labels.kind ?? "";
    const matching = silences.filter((x) => x.matches({ host: q.host, check, kind })).map((x) => x.s);
    const shown = matching.filter((s) => endOf(s) > q.now - longest && Date.parse(s.startsAt) < q.now);
    const spans = q.exclude ? merged(shown.map((s) => [Date.parse(s.startsAt), endOf(s)] as const)) : [];
    const widthFor = (fromMs: number) => (fromMs >= q.now - options.rollup1mRetentionMs ? MINUTE_MS : HOUR_MS);
    const latencyId = latency.get(`${check}/${kind}`);
    const windows: UptimeWindow[] = (Object.entries(UPTIME_WINDOWS) as [UptimeWindowName, number][]).map(([window, ms]) => {
      const from = q.now - ms;
      const [p50, p95, p99] = latencyTotals(st, latencyId, from, q.now + 1, spans).quantiles([0.5, 0.95, 0.99]);
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
