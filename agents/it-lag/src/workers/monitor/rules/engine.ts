import type { Alert } from "@lag/contracts";
import { seriesKey, type Sample } from "../samples.ts";
import { firingAlert, orphanResolved, resolvedAlert, type Occurrence } from "./alert-message.ts";
import type { CompiledRule } from "./compile.ts";
import { fingerprint } from "../../../alert-identity.ts";
import type { FiringSeries, RuleState, SeriesState } from "./state.ts";
import { applyWindow, expire, slide, type Point } from "./window.ts";

/**
 * The alert rule engine: a pure function of (state, rules, samples, now). No timers, no I/O; the
 * monitor calls it after each sampling round, publishes the alerts it returns and persists the
 * state it returns.
 *
 * `samples` is the monitor's whole current view (latest host metrics + latest container snapshot +
 * latest check results), not one collector's batch: a series of the state that is not in it is
 * treated as gone (see `missing` in rule-config.ts).
 *
 * Per rule and per matching series:
 * - breached → pending since t; breached continuously for `for` → one `firing` alert, repeat 0,
 *   startsAt = when it first breached (with `for: 0` that is the same evaluation);
 * - pending that stops being breached → forgotten, nothing emitted;
 * - while firing → a reminder every `repeat` (repeat 1, 2, …, same fingerprint and startsAt);
 * - firing and recovered (past `recover` when set, else no longer breached) → one `resolved` alert
 *   with endsAt; between threshold and recover it simply keeps firing, so flapping emits nothing.
 */
export interface Evaluation {
  state: RuleState;
  /** To publish, in order. Each has a deterministic id: see alertId(). */
  alerts: Alert[];
}

interface Step {
  next?: SeriesState;
  alert?: Alert;
}

interface Series {
  fingerprint: string;
  host: string;
  labels: Record<string, string>;
}

export function evaluate(
  state: RuleState,
  rules: readonly CompiledRule[],
  samples: readonly Sample[],
  now: Date,
  host: string,
): Evaluation {
  const t = now.getTime();
  const current = indexByMetric(samples);
  const next: Record<string, SeriesState> = {};
  const alerts: Alert[] = [];
  const seen = new Set<string>();
  const record = (fp: string, step: Step) => {
    if (step.next) next[fp] = step.next;
    if (step.alert) alerts.push(step.alert);
  };

  for (const rule of rules) {
    for (const sample of current.get(rule.metric) ?? []) {
      if (!rule.matches(sample.labels)) continue;
      const fp = fingerprint(rule.name, host, sample.labels);
      seen.add(fp);
      record(fp, observe(rule, state.series[fp], { fingerprint: fp, host, labels: { ...sample.labels } }, sample.value, t));
    }
  }
  const byName = new Map(rules.map((r) => [r.name, r]));
  for (const [fp, prev] of Object.entries(state.series)) {
    if (!seen.has(fp)) record(fp, absent(byName.get(prev.rule), prev, host, t));
  }
  return { state: { version: 1, series: next }, alerts };
}

/** Samples by metric, one per series (the last wins) and only real numbers: NaN means "no reading". */
function indexByMetric(samples: readonly Sample[]): Map<string, Sample[]> {
  const bySeries = new Map<string, Sample>();
  for (const s of samples) if (Number.isFinite(s.value)) bySeries.set(seriesKey(s.metric, s.labels), s);
  const out = new Map<string, Sample[]>();
  for (const s of bySeries.values()) {
    const list = out.get(s.metric);
    if (list) list.push(s);
    else out.set(s.metric, [s]);
  }
  return out;
}

function observe(rule: CompiledRule, prev: SeriesState | undefined, series: Series, raw: number, t: number): Step {
  const points = rule.window ? slide(prev?.points ?? [], t, raw, rule.window.ms) : undefined;
  const value = rule.window && points ? applyWindow(rule.window.fn, points) : raw;
  const history = points ? { points } : {};
  if (prev?.phase === "firing") return whileFiring(rule, prev, series, value, t, points);
  if (!rule.breached(value)) return idle(rule, series.labels, points);
  const since = prev?.phase === "pending" ? prev.since : t;
  if (t - since < rule.forMs) {
    return { next: { phase: "pending", rule: rule.name, labels: series.labels, since, value, ...history } };
  }
  const alert = firingAlert(rule, occurrence(series, value, value, since, 0));
  return { next: { phase: "firing", rule: rule.name, labels: series.labels, since, value, notifiedAt: t, alert, ...history }, alert };
}

function whileFiring(rule: CompiledRule, prev: FiringSeries, series: Series, value: number, t: number, points: Point[] | undefined): Step {
  if (rule.recovered(value)) {
    const alert = resolvedAlert(rule, occurrence(series, value, value, prev.since, prev.alert.repeat), t);
    return { ...idle(rule, series.labels, points), alert };
  }
  const { repeat, notifiedAt, due } = reminder(rule, prev, t);
  const alert = firingAlert(rule, occurrence(series, value, value, prev.since, repeat));
  const next: FiringSeries = { phase: "firing", rule: rule.name, labels: series.labels, since: prev.since, value, notifiedAt, alert };
  if (points) next.points = points;
  return due ? { next, alert } : { next };
}

/** A series of the state that is not in the current view. */
function absent(rule: CompiledRule | undefined, prev: SeriesState, host: string, t: number): Step {
  if (prev.phase === "firing" && (!rule || prev.alert.host !== host)) {
    return {
      alert: orphanResolved(
        prev.alert,
        t,
        rule ? `the monitor now runs as host ${host}` : `rule ${prev.rule} removed from the configuration`,
      ),
    };
  }
  if (!rule) return {};
  // Its window keeps aging, so a series that comes back within the window still counts its history.
  const points = rule.window && prev.points ? expire(prev.points, t, rule.window.ms) : undefined;
  const rest = idle(rule, prev.labels, points);
  // A pending condition that can no longer be observed cannot be confirmed: it is dropped.
  if (prev.phase !== "firing") return rest;

  const missingSince = prev.missingSince ?? t;
  const series = { fingerprint: prev.alert.fingerprint, host: prev.alert.host, labels: prev.labels };
  if (rule.missing === "resolve" && t - missingSince >= rule.forMs) {
    return { ...rest, alert: resolvedAlert(rule, occurrence(series, null, prev.value, prev.since, prev.alert.repeat), t) };
  }
  const { repeat, notifiedAt, due } = reminder(rule, prev, t);
  const alert = firingAlert(rule, occurrence(series, null, prev.value, prev.since, repeat));
  const next: FiringSeries = { ...prev, notifiedAt, missingSince, alert };
  if (points) next.points = points;
  else delete next.points;
  return due ? { next, alert } : { next };
}

/**
 * Reminders are spaced from the last notification, not scheduled from the start: after a monitor
 * outage of three hours the operator gets one reminder, not three in a row.
 */
function reminder(rule: CompiledRule, prev: FiringSeries, t: number): { repeat: number; notifiedAt: number; due: boolean } {
  const due = rule.repeatMs > 0 && t - prev.notifiedAt >= rule.repeatMs;
  return due ? { repeat: prev.alert.repeat + 1, notifiedAt: t, due } : { repeat: prev.alert.repeat, notifiedAt: prev.notifiedAt, due };
}

/** Rules with a window keep the series' history while nothing is wrong; others keep nothing. */
function idle(rule: CompiledRule, labels: Record<string, string>, points: Point[] | undefined): Step {
  if (!rule.window || !points || points.length === 0) return {};
  return { next: { phase: "idle", rule: rule.name, labels, points } };
}

function occurrence(series: Series, value: number | null, lastValue: number, since: number, repeat: number): Occurrence {
  return { ...series, value, lastValue, since, repeat };
}
