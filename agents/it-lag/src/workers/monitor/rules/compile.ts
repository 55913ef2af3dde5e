import type { Severity } from "@lag/contracts";
import { compileMatch, type LabelMatcher } from "../../../label-match.ts";
import { METRICS, type MetricName } from "./metrics.ts";
import type { Comparison, RuleConfig, WindowFunction } from "./rule-config.ts";

/** A rule ready for the engine: defaults resolved, matchers and comparisons built once. */
export interface CompiledRule {
  name: string;
  metric: MetricName;
  severity: Severity;
  threshold: number;
  recover: number | undefined;
  forMs: number;
  /** 0: no reminders. */
  repeatMs: number;
  window: { fn: WindowFunction; ms: number } | undefined;
  missing: "resolve" | "keep";
  labels: Readonly<Record<string, string>>;
  summary: string;
  matches: LabelMatcher;
  /** The alert condition. */
  breached: (value: number) => boolean;
  /** Whether a firing alert ends: past `recover` when set, else the condition no longer holds. */
  recovered: (value: number) => boolean;
}

const compare: Record<Comparison, (a: number, b: number) => boolean> = {
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  "==": (a, b) => a === b,
  "!=": (a, b) => a !== b,
};

export function compileRule(rule: RuleConfig): CompiledRule {
  const breached = (v: number) => compare[rule.op](v, rule.threshold);
  const { recover } = rule;
  // The config guarantees recover lies on the safe side of the threshold, so "past recover" is
  // strictly below it for >/>= rules and strictly above it for </<= rules.
  const recovered =
    recover === undefined ? (v: number) => !breached(v) : rule.op.startsWith(">") ? (v: number) => v < recover : (v: number) => v > recover;
  const info = METRICS[rule.metric];
  const window = rule.function && rule.window ? { fn: rule.function, ms: rule.window } : undefined;
  const defaultSummary = window?.fn === "increase" && "increaseSummary" in info ? info.increaseSummary : info.summary;
  return {
    name: rule.name,
    metric: rule.metric,
    severity: rule.severity,
    threshold: rule.threshold,
    recover,
    forMs: rule.for,
    repeatMs: rule.repeat,
    window,
    missing: rule.missing,
    labels: rule.labels ?? {},
    summary: rule.summary ?? defaultSummary,
    matches: compileMatch(rule.match),
    breached,
    recovered,
  };
}

export function compileRules(rules: readonly RuleConfig[]): CompiledRule[] {
  return rules.map(compileRule);
}
