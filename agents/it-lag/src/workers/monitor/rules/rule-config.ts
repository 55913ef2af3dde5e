import { z } from "zod";
import { duration } from "@lag/config";
import { Severity, Slug } from "@lag/contracts";
import { closest } from "@lag/config";
import { isMetricName, METRIC_NAMES, METRICS, type MetricName } from "./metrics.ts";
import { FIXED_PLACEHOLDERS, unknownPlaceholders } from "./summary.ts";
import { duplicateNames, isRecord } from "../unique-names.ts";

/**
 * Alert rules as the operator writes them under `it.monitor.rules`:
 *
 *   - name: disk-high            # unique; the alert's `rule` and a subject token
 *     metric: fs.used_pct        # a metric the monitor samples (see metrics.ts)
 *     match: { role: storage }   # optional: label values (globs with *, a leading ! negates)
 *     op: ">"                    # > >= < <= == !=
 *     threshold: 85
 *     for: 5m                    # optional: how long the condition must hold before firing (default 0)
 *     recover: 80                # optional hysteresis: once firing, resolves only past this value
 *     function: increase         # optional: increase | avg | max | min over `window` before comparing
 *     window: 10m
 *     severity: high             # critical | high | medium | low
 *     repeat: 1h                 # re-notify while firing (default 1h); 0 or never: no reminders
 *     labels: { team: ops }      # optional: added to the alert
 *     summary: "{mount} is {value}% full"   # optional; a sentence per metric by default
 *     missing: resolve           # a firing series that stops being reported: resolve | keep
 *
 * `missing`: the engine evaluates the monitor's current view of the world, so a series absent from
 * it is gone (a container removed, a check deleted from the config, Docker unreachable). `resolve`
 * (default) resolves a firing alert once the series has been absent for the rule's `for` (0: at the
 * first evaluation without it), with `value: null`; `keep` keeps it firing, reminders included,
 * until the series comes back and recovers — for things that must not disappear silently.
 */
export const COMPARISONS = [">", ">=", "<", "<=", "==", "!="] as const;
export type Comparison = (typeof COMPARISONS)[number];
export const FUNCTIONS = ["increase", "avg", "max", "min"] as const;
export type WindowFunction = (typeof FUNCTIONS)[number];
export const MISSING = ["resolve", "keep"] as const;

/** Reminders once an hour: often enough not to be forgotten, rare enough not to be muted. */
export const DEFAULT_REPEAT_MS = 3_600_000;

const DURATION_HINT = 'expected a duration such as "30s", "5m", "1h" (or milliseconds)';

const Metric = z.string().refine(isMetricName, {
  error: (iss) => unknownMetricMessage(String(iss.input)),
});

const LabelValue = z.union([z.string().min(1), z.number().transform(String)], {
  error: "expected a label value (text; * matches anything, a leading ! negates)",
});
const LabelKey = z.string().regex(/^[a-z_][a-z0-9_]*$/, "label names are lower-case letters, digits and _");

const Repeat = z.union([z.literal("never").transform(() => 0), z.literal(0), duration], {
  error: `${DURATION_HINT}, or 0 / never for no reminders`,
});

const FIELDS = {
  name: Slug,
  metric: Metric,
  match: z.record(z.string(), LabelValue).optional(),
  op: z.enum(COMPARISONS, { error: `expected one of ${COMPARISONS.join(" ")} (quote it in YAML: op: ">")` }),
  threshold: z.number({ error: "expected a number" }),
  for: z.union([z.literal(0), duration], { error: DURATION_HINT }).default(0),
  recover: z.number({ error: "expected a number" }).optional(),
  function: z.enum(FUNCTIONS, { error: `expected one of ${FUNCTIONS.join(", ")}` }).optional(),
  window: z.union([duration], { error: DURATION_HINT }).optional(),
  severity: z.enum(Severity.options, { error: `expected one of ${Severity.options.join(", ")}` }),
  repeat: Repeat.default(DEFAULT_REPEAT_MS),
  labels: z.record(LabelKey, z.string()).optional(),
  summary: z.string().min(1).optional(),
  missing: z.enum(MISSING, { error: `expected one of ${MISSING.join(", ")}` }).default("resolve"),
};

const RuleFields = z.strictObject(FIELDS, {
  error: (iss) => {
    if (iss.code === "unrecognized_keys") {
      const named = iss.keys.map((k) => {
        const near = closest(k, Object.keys(FIELDS));
        return near ? `${k} (did you mean ${near}?)` : k;
      });
      return `unknown field${iss.keys.length > 1 ? "s" : ""} ${named.join(", ")}; a rule has ${Object.keys(FIELDS).join(", ")}`;
    }
    if (iss.code === "invalid_type") return "expected a rule: a mapping with at least name, metric, op, threshold and severity";
    return undefined;
  },
});
type RuleFields = z.infer<typeof RuleFields>;

export type RuleConfig = Omit<RuleFields, "metric"> & { metric: MetricName };
export type RuleInput = z.input<typeof RuleFields>;

interface Problem {
  path: Array<string | number>;
  message: string;
}

/** Checks between fields; each one runs when the fields it needs are valid, so all are reported at once. */
function ruleProblems(r: Partial<RuleFields>): Problem[] {
  const out: Problem[] = [];
  const labelKeys: readonly string[] = r.metric && isMetricName(r.metric) ? METRICS[r.metric].labels : [];
  if (r.metric && isMetricName(r.metric)) {
    for (const key of Object.keys(r.match ?? {})) {
      if (!labelKeys.includes(key)) out.push({ path: ["match", key], message: noSuchLabel(r.metric, key, labelKeys) });
    }
    for (const key of Object.keys(r.labels ?? {})) {
      if (labelKeys.includes(key)) {
        out.push({ path: ["labels", key], message: `${key} is already a label of ${r.metric}'s series; pick another name` });
      }
    }
    if (r.summary !== undefined) {
      const keys = [...labelKeys, ...Object.keys(r.labels ?? {})];
      const bad = unknownPlaceholders(r.summary, keys);
      if (bad.length > 0) out.push({ path: ["summary"], message: unknownPlaceholderMessage(bad, r.metric, keys) });
    }
  }
  if (r.recover !== undefined && r.op && r.threshold !== undefined) {
    const problem = recoverProblem(r.op, r.threshold, r.recover);
    if (problem) out.push({ path: ["recover"], message: problem });
  }
  if (r.function !== undefined && !("window" in r)) {
    out.push({ path: ["window"], message: `required with function: ${r.function} (e.g. window: 10m)` });
  }
  if (r.window !== undefined && !("function" in r)) {
    out.push({ path: ["window"], message: `only used with function: ${FUNCTIONS.join(" | ")}; add one or remove window` });
  }
  if (r.window !== undefined && r.window <= 0) out.push({ path: ["window"], message: "must be longer than 0" });
  return out;
}

function recoverProblem(op: Comparison, threshold: number, recover: number): string | undefined {
  if (op === "==" || op === "!=") return `recover only applies to > >= < <= (the band needs a direction), not ${op}`;
  if ((op === ">" || op === ">=") && !(recover < threshold)) {
    return `recover ${recover} must be below threshold ${threshold}: with ${op} the alert fires above the threshold and resolves once the value falls below recover`;
  }
  if ((op === "<" || op === "<=") && !(recover > threshold)) {
    return `recover ${recover} must be above threshold ${threshold}: with ${op} the alert fires below the threshold and resolves once the value rises above recover`;
  }
  return undefined;
}

/** One rule, validated on its own (fields and the checks between them). */
export const RuleConfig = RuleFields.superRefine((rule, ctx) => {
  for (const p of ruleProblems(rule)) ctx.addIssue({ code: "custom", path: p.path, message: p.message, input: rule });
}) as unknown as z.ZodType<RuleConfig, RuleInput>;

/**
 * The list under `it.monitor.rules`. Each message starts with the rule's name, so that with the
 * path the config loader prints the operator reads `it.monitor.rules[3].for: rule disk-critical:
 * expected a duration …` and knows which rule of a long list is meant. Every problem of every rule
 * is reported in one go, duplicate names included.
 */
export const RulesConfig = z.array(z.unknown()).transform((items, ctx): RuleConfig[] => {
  const rules: RuleConfig[] = [];
  items.forEach((item, index) => {
    const prefix = ruleLabel(item);
    const report = (path: PropertyKey[], message: string) =>
      ctx.addIssue({ code: "custom", path: [index, ...path], message: `${prefix}${message}`, input: item });
    const parsed = RuleFields.safeParse(item);
    for (const issue of parsed.success ? [] : parsed.error.issues) report(issue.path, missingField(item, issue.path) ?? issue.message);
    const problems = ruleProblems(parsed.success ? parsed.data : validFields(item));
    for (const p of problems) report(p.path, p.message);
    if (parsed.success && problems.length === 0) rules.push(parsed.data as RuleConfig);
  });
  const duplicates = duplicateNames(items);
  if (duplicates.length > 0) {
    ctx.addIssue({ code: "custom", path: [], message: `rule names must be unique: ${duplicates.join("; ")}`, input: items });
  }
  return rules;
});

/** zod says "expected string, received undefined" for a field left out; the operator needs "required". */
function missingField(item: unknown, path: readonly PropertyKey[]): string | undefined {
  const [key] = path;
  return path.length === 1 && typeof key === "string" && isRecord(item) && !(key in item) ? "required" : undefined;
}

function ruleLabel(item: unknown): string {
  const name = isRecord(item) ? item["name"] : undefined;
  return typeof name === "string" && name.length > 0 ? `rule ${name}: ` : "";
}

/** The fields of a broken rule that are valid on their own, for the cross-field checks. */
function validFields(item: unknown): Partial<RuleFields> {
  if (!isRecord(item)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(FIELDS)) {
    if (!(key in item)) continue;
    const r = (schema as z.ZodType).safeParse(item[key]);
    // A present but invalid field is marked present, so "window requires function" is not added
    // on top of "function: expected one of …".
    out[key] = r.success ? r.data : undefined;
  }
  return out as Partial<RuleFields>;
}

function noSuchLabel(metric: string, key: string, labels: readonly string[]): string {
  const has = labels.length > 0 ? `its labels are ${labels.join(", ")}` : "it has no labels";
  return `${metric} has no label ${key}; ${has}`;
}

function unknownPlaceholderMessage(bad: string[], metric: string, labels: readonly string[]): string {
  const fixed = FIXED_PLACEHOLDERS.map((p) => `{${p}}`).join(", ");
  const own = labels.length > 0 ? ` or a label (${labels.map((l) => `{${l}}`).join(", ")})` : "";
  return `unknown placeholder ${bad.join(", ")}; use ${fixed}${own} of ${metric}`;
}

function unknownMetricMessage(name: string): string {
  const near = closest(name, METRIC_NAMES);
  const hint = near ? `did you mean ${near}? ` : "";
  return `unknown metric ${JSON.stringify(name)}; ${hint}known metrics: ${METRIC_NAMES.join(", ")}`;
}
