import type { BenchReport, Measurement, Metrics } from "./benchmark.ts";
import type { Environment } from "./environment.ts";

function num(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return "–";
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en");
  if (Math.abs(v) >= 100) return v.toFixed(0);
  if (Math.abs(v) >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) =>
    r
      .map((cell, i) => (i === 0 || i === r.length - 1 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join("   ")
      .trimEnd(),
  );
}

function measurementLines(m: Measurement): string[] {
  const metrics = Object.keys(m.units);
  const header = ["variant", ...metrics.map((k) => `${k} (${m.units[k]})`), `runs: ${m.key}`];
  const rows = m.variants.map((v) => [
    v.name,
    ...metrics.map((k) => num(v.median[k])),
    v.runs.map((r: Metrics) => num(r[m.key])).join(" · "),
  ]);
  const out = [m.title, ...table([header, ...rows]).map((l) => `  ${l}`)];
  const w = Math.max(...m.variants.map((v) => v.name.length));
  for (const v of m.variants) out.push(`    ${v.name.padEnd(w)}  ${v.description}`);
  for (const r of m.ratios) {
    const goal = r.goal ? `   goal: ${r.goal.statement} → ${r.goal.met ? "MET" : "MISSED"}` : "";
    out.push(`  ${r.name}: ${r.value.toFixed(2)}${goal}`);
  }
  for (const n of m.notes) out.push(`  note: ${n}`);
  return out;
}

/** The human-readable form: environment, facts, one table per measurement, ratios and goals. */
export function formatReport(name: string, env: Environment, report: BenchReport): string {
  const facts = { ...env, ...report.facts } as Record<string, string | number>;
  const w = Math.max(...Object.keys(facts).map((k) => k.length));
  const lines = [`== bench ${name}`, ...Object.entries(facts).map(([k, v]) => `  ${k.padEnd(w)}  ${v}`), ""];
  for (const m of report.measurements) lines.push(...measurementLines(m), "");
  return lines.join("\n");
}

export interface ResultFile {
  benchmark: string;
  description: string;
  environment: Environment;
  facts: BenchReport["facts"];
  measurements: Measurement[];
}
