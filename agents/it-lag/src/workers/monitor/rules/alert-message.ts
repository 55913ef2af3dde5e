import type { Alert } from "@lag/contracts";
import type { CompiledRule } from "./compile.ts";
import { renderSummary } from "./summary.ts";

/** What an alert is made of besides the rule: one series at one moment. */
export interface Occurrence {
  fingerprint: string;
  host: string;
  /** The series' own labels; the rule's extra labels are added to them. */
  labels: Readonly<Record<string, string>>;
  /** The value compared against the threshold (after the window function), or null when absent. */
  value: number | null;
  /** The last value seen, for the summary when `value` is null. */
  lastValue: number;
  since: number;
  repeat: number;
}

export function firingAlert(rule: CompiledRule, o: Occurrence): Alert {
  const summary = describe(rule, o);
  return build(rule, o, "firing", o.value === null ? `${summary} (no longer reported)` : summary);
}

export function resolvedAlert(rule: CompiledRule, o: Occurrence, endsAt: number): Alert {
  const why = o.value === null ? "resolved, no longer reported" : "resolved";
  return { ...build(rule, o, "resolved", `${why}: ${describe(rule, o)}`), endsAt: new Date(endsAt).toISOString() };
}

/**
 * A firing alert that can no longer be evaluated (its rule left the configuration, or the monitor
 * was renamed): it ends now, or it would stay open forever downstream.
 */
export function orphanResolved(alert: Alert, endsAt: number, reason: string): Alert {
  return {
    ...alert,
    status: "resolved",
    value: null,
    summary: `resolved, ${reason}: ${alert.summary}`,
    endsAt: new Date(endsAt).toISOString(),
  };
}

function describe(rule: CompiledRule, o: Occurrence): string {
  return renderSummary(rule.summary, {
    value: o.value ?? o.lastValue,
    threshold: rule.threshold,
    recover: rule.recover,
    rule: rule.name,
    host: o.host,
    metric: rule.metric,
    windowMs: rule.window?.ms,
    forMs: rule.forMs,
    labels: { ...rule.labels, ...o.labels },
  });
}

function build(rule: CompiledRule, o: Occurrence, status: Alert["status"], summary: string): Alert {
  return {
    fingerprint: o.fingerprint,
    rule: rule.name,
    host: o.host,
    status,
    severity: rule.severity,
    summary,
    source: rule.metric,
    value: o.value,
    threshold: rule.threshold,
    labels: { ...rule.labels, ...o.labels },
    startsAt: new Date(o.since).toISOString(),
    repeat: o.repeat,
  };
}
