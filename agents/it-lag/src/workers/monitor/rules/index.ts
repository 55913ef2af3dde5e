/**
 * Alert rules of the monitor: the config schema, the defaults shipped with the sample config, and
 * the pure engine that turns samples into alerts.
 */
export type { CompiledRule } from "./compile.ts";
export { compileRule, compileRules } from "./compile.ts";
export type { DefaultRule } from "./defaults.ts";
export { DEFAULT_RULES, defaultRules, defaultRulesYaml } from "./defaults.ts";
export type { Evaluation } from "./engine.ts";
export { evaluate } from "./engine.ts";
export { alertId, fingerprint } from "./identity.ts";
export type { MetricName } from "./metrics.ts";
export { METRIC_NAMES, METRICS } from "./metrics.ts";
export type { Comparison, RuleInput, WindowFunction } from "./rule-config.ts";
export { COMPARISONS, DEFAULT_REPEAT_MS, FUNCTIONS, RuleConfig, RulesConfig } from "./rule-config.ts";
export type { SeriesState } from "./state.ts";
export { emptyState, firingAlerts, restoreState, RuleState } from "./state.ts";
