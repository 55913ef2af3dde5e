/**
 * Alert summaries are templates: `{mount} is {value}% full (threshold {threshold}%)`. Placeholders
 * are checked when the config loads (a misspelt one would otherwise show up verbatim in a 3 a.m.
 * mail) and filled in when an alert is emitted.
 */
const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Placeholders every rule offers, besides its labels (`{mount}` or `{labels.mount}`). */
export const FIXED_PLACEHOLDERS = ["value", "threshold", "recover", "rule", "host", "metric", "window", "for"] as const;

export interface SummaryContext {
  value: number | null;
  threshold: number;
  recover: number | undefined;
  rule: string;
  host: string;
  metric: string;
  windowMs: number | undefined;
  forMs: number;
  labels: Readonly<Record<string, string>>;
}

/** The placeholders of `template` that are neither fixed nor one of `labelKeys`. */
export function unknownPlaceholders(template: string, labelKeys: readonly string[]): string[] {
  const known = new Set<string>(FIXED_PLACEHOLDERS);
  const bad: string[] = [];
  for (const [, name = ""] of template.matchAll(PLACEHOLDER)) {
    const key = name.startsWith("labels.") ? name.slice("labels.".length) : name;
    const ok = name.startsWith("labels.") ? labelKeys.includes(key) : known.has(key) || labelKeys.includes(key);
    if (!ok) bad.push(`{${name}}`);
  }
  return bad;
}

export function renderSummary(template: string, ctx: SummaryContext): string {
  return template.replace(PLACEHOLDER, (_, name: string) => fill(name, ctx));
}

function fill(name: string, ctx: SummaryContext): string {
  switch (name) {
    case "value":
      return ctx.value === null ? "unknown" : formatNumber(ctx.value);
    case "threshold":
      return formatNumber(ctx.threshold);
    case "recover":
      return ctx.recover === undefined ? "none" : formatNumber(ctx.recover);
    case "rule":
      return ctx.rule;
    case "host":
      return ctx.host;
    case "metric":
      return ctx.metric;
    case "window":
      return ctx.windowMs === undefined ? "none" : formatDuration(ctx.windowMs);
    case "for":
      return formatDuration(ctx.forMs);
  }
  const key = name.startsWith("labels.") ? name.slice("labels.".length) : name;
  // Labels a metric only sometimes has (a mount without a role) render as a visible "none".
  return ctx.labels[key] ?? "none";
}

/** One decimal is what a person reads in a summary (91.2 %); the exact value travels in `value`. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Math.round(n * 10) / 10);
}

/** 600000 → "10m", 5400000 → "1h30m", 0 → "0s": the way durations are written in the config. */
export function formatDuration(ms: number): string {
  if (ms <= 0) return "0s";
  const units: Array<[string, number]> = [
    ["d", 86_400_000],
    ["h", 3_600_000],
    ["m", 60_000],
    ["s", 1000],
  ];
  let rest = ms;
  let out = "";
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return rest > 0 ? `${out}${rest}ms` : out;
}
