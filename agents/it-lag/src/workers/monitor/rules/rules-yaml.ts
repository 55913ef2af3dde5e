import type { RuleInput } from "./rule-config.ts";
import { formatDuration } from "./summary.ts";

/**
 * Renders rules as block YAML, by hand: the shapes are flat (scalars and one-level maps), and a
 * comment per rule is the point of the exercise, which YAML libraries do not make easy.
 */
const HEADER = [
  "Alert rules: metric, op, threshold; optional for (how long it must hold), recover (hysteresis),",
  "function + window (increase/avg/max/min), repeat (reminders, default 1h; never), labels, summary,",
  "missing (resolve | keep). Listing rules here replaces the built-in defaults, which these are.",
];

/** A rule with the reason it is what it is: a comment above it in the YAML. */
export interface DefaultRule {
  why: string;
  rule: RuleInput;
}

/** Where the rules sit in config/lag.sample.yaml: under it.monitor, four spaces in. */
const SAMPLE_INDENT = 4;

/**
 * The sample configuration with its rules block (from the `# Alert rules:` comment to the end of
 * the monitor's section) rendered from the given rules: the sample lists exactly the defaults.
 */
export function withRules(sample: string, rules: readonly DefaultRule[]): string {
  const lines = sample.split("\n");
  const start = lines.findIndex((l) => l.startsWith(`${" ".repeat(SAMPLE_INDENT)}# ${HEADER[0]!.split(":")[0]}:`));
  if (start < 0) throw new Error(`the sample configuration has no "# Alert rules:" block at indent ${SAMPLE_INDENT}`);
  let end = start + 1;
  while (
    end < lines.length &&
    (lines[end]!.startsWith(" ".repeat(SAMPLE_INDENT)) || lines[end]!.trim() === "") &&
    !isSectionEnd(lines, end)
  )
    end++;
  const block = renderRulesYaml(rules, SAMPLE_INDENT).replace(/\n$/, "").split("\n");
  return [...lines.slice(0, start), ...block, ...lines.slice(end)].join("\n");
}

/** A blank line followed by a line less indented than the rules ends the block. */
function isSectionEnd(lines: readonly string[], i: number): boolean {
  if (lines[i]!.trim() !== "") return false;
  const next = lines.slice(i + 1).find((l) => l.trim() !== "");
  return next === undefined || !next.startsWith(" ".repeat(SAMPLE_INDENT));
}

export function renderRulesYaml(rules: readonly DefaultRule[], indent = 0): string {
  const pad = " ".repeat(indent);
  const lines = [...HEADER.map((l) => `${pad}# ${l}`), `${pad}rules:`];
  for (const { why, rule } of rules) {
    for (const line of wrap(why, 96 - indent)) lines.push(`${pad}  # ${line}`);
    Object.entries(rule).forEach(([key, value], i) => {
      if (value === undefined) return;
      lines.push(`${pad}${i === 0 ? "  - " : "    "}${key}: ${node(key, value)}`);
    });
  }
  return `${lines.join("\n")}\n`;
}

function node(key: string, value: unknown): string {
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${scalar(v)}`);
    return `{ ${entries.join(", ")} }`;
  }
  // Durations given in ms read better in the units the operator writes.
  if ((key === "for" || key === "window" || key === "repeat") && typeof value === "number" && value > 0) {
    return formatDuration(value);
  }
  return scalar(value);
}

/** A plain scalar where YAML reads it back as the same string, else a double-quoted (JSON) one. */
function scalar(value: unknown): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const s = String(value);
  const plain = /^[A-Za-z0-9_/][A-Za-z0-9_./-]*$/.test(s);
  const ambiguous =
    /^(true|false|yes|no|on|off|y|n|null)$/i.test(s) || // booleans and null (YAML 1.1 too)
    /^[-+]?(\d[\d_]*)?\.?\d*([eE][-+]?\d+)?$/.test(s) || // numbers: "85", "1e3", "1_000"
    /^0[xob]/i.test(s) || // hex, octal, binary
    /^\d{4}-\d\d-\d\d/.test(s); // dates (YAML 1.1 timestamps)
  return plain && !ambiguous ? s : JSON.stringify(s);
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}
