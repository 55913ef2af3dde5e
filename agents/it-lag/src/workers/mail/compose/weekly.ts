import { formatBytes, type DailyReport, type PlanStatus } from "@lag/contracts";
import type { Rendered, Trend } from "./daily.ts";
import { RPO_TONE, successRate, trendText } from "./daily.ts";
import { badge, esc, page, section, type Tone, utc } from "./html.ts";

export interface WeeklyData {
  host: string;
  /** "week 49 (30 Nov – 6 Dec)". */
  weekLabel: string;
  now: Date;
  /** The daily reports of the week, oldest first. */
  reports: DailyReport[];
  plans?: PlanStatus[];
  plansError?: string;
  trends: Map<string, Trend>;
  alertsMailed: number;
}

const RANK: Record<string, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

/** The week in one mail: incidents per day, the worst each host was, MTTA/MTTR, backups, storage over the week. */
export function weeklySummary(w: WeeklyData): Rendered {
  const opened = w.reports.reduce((n, r) => n + r.incidents.opened, 0);
  const resolved = w.reports.reduce((n, r) => n + r.incidents.resolved, 0);
  const last = w.reports.at(-1);
  const worst = new Map<string, { health: string; days: number }>();
  for (const r of w.reports)
    for (const h of r.health) {
      const had = worst.get(h.host);
      if (!had || RANK[h.health]! > RANK[had.health]!) worst.set(h.host, { health: h.health, days: 1 });
      else if (had.health === h.health) had.days++;
    }
  const plans = w.plans ?? [];
  const rate = plans.filter((p) => p.successRate30d !== null);
  const avgRate = rate.length > 0 ? rate.reduce((n, p) => n + p.successRate30d!, 0) / rate.length : undefined;
  const subject =
    `${w.host}, ${w.weekLabel}: ${opened} incident${opened === 1 ? "" : "s"} (${resolved} resolved)` +
    (avgRate !== undefined ? `, backups ${Math.round(avgRate * 100)}%` : "");
  const tone: Tone = [...worst.values()].some((h) => h.health === "critical") ? "bad" : opened > 0 ? "warn" : "ok";

  const text: string[] = [subject, ""];
  const html: string[] = [];
  if (w.reports.length === 0) text.push("No daily report this week: is it-incidents running? (lag status)", "");

  const days = w.reports.map(
    (r) => [r.day, `opened ${r.incidents.opened}, resolved ${r.incidents.resolved}, open ${r.incidents.open.length}`] as const,
  );
  text.push("INCIDENTS PER DAY", ...days.map(([d, l]) => `  ${d}: ${l}`), `  alert mails sent: ${w.alertsMailed}`, "");
  html.push(
    section(
      "incidents per day",
      [...days.map(([d, l]) => [d, esc(l)] as const), ["alert mails sent", String(w.alertsMailed)] as const],
      "no daily report this week",
    ),
  );

  text.push("WORST HEALTH", ...[...worst].map(([h, x]) => `  ${h}: ${x.health} (${x.days} day${x.days === 1 ? "" : "s"})`), "");
  html.push(
    section(
      "worst health",
      [...worst].map(
        ([h, x]) =>
          [
            h,
            `${badge(x.health, x.health === "ok" ? "ok" : x.health === "critical" ? "bad" : "warn")} ${x.days} day${x.days === 1 ? "" : "s"}`,
          ] as const,
      ),
    ),
  );

  if (last) {
    const lines = [
      ...last.measures.bySeverity
        .filter((b) => b.incidents > 0)
        .map((b) => `${b.severity}: ${b.incidents}, MTTA ${b.mttaSec ?? "—"} s, MTTR ${b.mttrSec ?? "—"} s`),
      ...last.measures.patterns.map((p) => `pattern: ${p.host} ${p.rule} — ${p.suggestion}`),
    ];
    text.push("RESPONSE", ...(lines.length > 0 ? lines.map((l) => `  ${l}`) : ["  no incidents"]), "");
    html.push(
      section(
        "response",
        lines.map((l) => ["", esc(l)] as const),
        "no incidents",
      ),
    );
  }

  if (w.plans || w.plansError) {
    text.push("BACKUPS", ...(w.plansError ? [`  ${w.plansError}`] : []));
    for (const p of plans) text.push(`  ${p.plan}: ${p.rpo}, ${successRate(p) ?? "no runs yet"}`);
    text.push("");
    html.push(
      section(
        "backups",
        plans.map((p) => [p.plan, `${badge(p.rpo, RPO_TONE[p.rpo])} ${esc(successRate(p) ?? "no runs yet")}`] as const),
        w.plansError ?? "no backup plans configured",
      ),
    );
  }

  if (last && last.storage.length > 0) {
    const rows = last.storage.map(
      (v) =>
        [
          `${v.host} ${v.mount}`,
          `${v.usedPct.toFixed(1)}% used, ${formatBytes(v.freeBytes)} free, ${trendText(w.trends.get(`${v.host} ${v.mount}`))}`,
        ] as const,
    );
    text.push("STORAGE", ...rows.map(([k, v]) => `  ${k}: ${v}`), "");
    html.push(
      section(
        "storage",
        rows.map(([k, v]) => [k, esc(v)] as const),
      ),
    );
  }

  return {
    subject,
    text: text.join("\n").trimEnd(),
    html: page({
      title: `${w.host}, ${w.weekLabel}`,
      summary: subject.slice(w.host.length + 2),
      tone,
      body: html.join("\n"),
      footer: `IT_LAG's weekly summary, made ${esc(utc(w.now.toISOString()))} from ${w.reports.length} daily reports.`,
    }),
    quiet: false,
  };
}
