import { reportsService, type DailyReport } from "@lag/contracts";
import { booleanOption } from "../args.ts";
import type { Command } from "../command.ts";
import type { Style } from "../style.ts";
import { when } from "../times.ts";

const GB = 1e9;

function renderDaily(r: DailyReport, s: Style): string[] {
  const lines = [`${s.bold(`IT report for ${r.day}`)} (generated ${when(r.generatedAt)})`, "", s.bold("health")];
  for (const h of r.health) lines.push(`  ${h.host}: ${h.health === "ok" ? s.green(h.health) : s.red(h.health)} — ${h.summary}`);
  lines.push(
    "",
    s.bold("incidents"),
    `  opened ${r.incidents.opened}, resolved ${r.incidents.resolved}, open now ${r.incidents.open.length}`,
  );
  for (const i of r.incidents.open) lines.push(`  ${i.id} [${i.severity}] ${i.host}: ${i.title} (${i.state})`);
  for (const m of r.measures.bySeverity)
    lines.push(`  ${m.severity}: ${m.incidents} in 7 days, MTTA ${m.mttaSec ?? "—"} s, MTTR ${m.mttrSec ?? "—"} s`);
  if (r.measures.patterns.length > 0) {
    lines.push("", s.bold("patterns"));
    for (const p of r.measures.patterns) lines.push(`  ${p.host} ${p.rule}: ${p.suggestion}`);
  }
  lines.push("", s.bold("approvals"), `  ${r.approvals.pending} waiting for a person`);
  for (const a of r.approvals.items) lines.push(`  ${a.id} ${a.action}: ${a.reason} (expires ${when(a.expiresAt)})`);
  if (r.storage.length > 0) {
    lines.push("", s.bold("storage"));
    for (const v of r.storage)
      lines.push(`  ${v.host} ${v.mount}${v.role ? ` (${v.role})` : ""}: ${v.usedPct}% used, ${(v.freeBytes / GB).toFixed(1)} GB free`);
  }
  for (const [key, sec] of Object.entries(r.sections)) {
    lines.push("", s.bold(sec.title || key));
    for (const l of sec.lines) lines.push(`  ${l}`);
  }
  return lines;
}

export const reports: Command = {
  name: "reports",
  summary: "the latest daily IT report CEO_LAG keeps (--weekly: the roll-up of the last seven)",
  usage: "",
  options: {
    weekly: { type: "boolean", description: "the weekly roll-up too" },
    json: { type: "boolean", description: "the reply as JSON: {daily?, weekly?, kept}" },
  },
  connects: true,
  examples: ["lag reports", "lag reports --weekly", "lag reports --json | jq .daily.incidents"],
  async run({ args, out, bus: connect }) {
    const weekly = booleanOption(args, "weekly");
    const r = await (await connect()).request(reportsService.endpoints.latest, { weekly });
    if (booleanOption(args, "json")) {
      out.prettyJson(r);
      return 0;
    }
    if (!r.daily) {
      out.note("no daily report yet: IT_LAG sends one each morning (it.incidents.report.cron)");
      return 0;
    }
    for (const l of renderDaily(r.daily, out.style)) out.fitted(l);
    if (r.weekly) {
      const w = r.weekly;
      const s = out.style;
      out.line("");
      out.line(s.bold(`week ${w.from} → ${w.to} (${w.days} reports)`));
      out.line(`  incidents opened ${w.incidents.opened}, resolved ${w.incidents.resolved}`);
      for (const b of w.bySeverity) out.line(`  ${b.severity}: ${b.incidents}`);
      for (const h of w.worstHealth) out.line(`  ${h.host}: worst ${h.health} (${h.days} day${h.days === 1 ? "" : "s"})`);
      for (const p of w.patterns) out.fitted(`  ${p}`);
    }
    out.note(`${r.kept} daily report${r.kept === 1 ? "" : "s"} kept`);
    return 0;
  },
};
