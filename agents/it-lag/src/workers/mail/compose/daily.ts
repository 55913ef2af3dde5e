import { formatBytes, type ApprovalRecord, type DailyReport, type PlanStatus } from "@lag/contracts";
import { severityTone } from "./alert.ts";
import { approvalLink } from "./approval.ts";
import { badge, code, esc, page, section, type Tone, utc } from "./html.ts";

/** A volume's fill over the last days: percentage points gained, and when it is full at that pace. */
export interface Trend {
  deltaPct: number;
  days: number;
  fullInDays?: number;
}

export interface DailyData {
  host: string;
  /** The local day the digest is for, and how it is written: "Tue 1 Dec". */
  day: string;
  dayLabel: string;
  now: Date;
  report?: DailyReport;
  plans?: PlanStatus[];
  plansError?: string;
  approvals?: ApprovalRecord[];
  approvalsError?: string;
  /** By `host mount`. */
  trends: Map<string, Trend>;
  /** Notifications left for the digest (not mailed at once) since the last one, by severity. */
  held: { severity: string; count: number }[];
  warnPct: number;
  approvalLink?: string;
}

export interface Rendered {
  subject: string;
  text: string;
  html: string;
  quiet: boolean;
}

export const RPO_TONE: Record<PlanStatus["rpo"], Tone> = { green: "ok", amber: "warn", red: "bad" };
const HEALTH_TONE: Record<string, Tone> = { ok: "ok", warning: "warn", degraded: "warn", critical: "bad", unknown: "muted" };
/** Sections of the report drawn from live figures here, not repeated from the report. */
const LIVE_SECTIONS = new Set(["backups"]);

const ago = (iso: string | undefined, now: Date): string => {
  if (!iso) return "never";
  const h = (now.getTime() - Date.parse(iso)) / 3_600_000;
  return h < 1 ? `${Math.max(1, Math.round(h * 60))} min ago` : h < 48 ? `${Math.round(h)} h ago` : `${Math.round(h / 24)} days ago`;
};
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function trendText(t: Trend | undefined): string {
  if (!t) return "no trend yet";
  const sign = t.deltaPct > 0 ? "+" : "";
  const full = t.fullInDays !== undefined ? `, full in ~${Math.round(t.fullInDays)} days` : "";
  return `${sign}${t.deltaPct.toFixed(1)} pts in ${plural(t.days, "day")}${full}`;
}

/** `100% of 30 days`: how often a plan's runs succeeded. */
export function successRate(p: PlanStatus): string | undefined {
  return p.successRate30d === null ? undefined : `${Math.round(p.successRate30d * 100)}% of 30 days`;
}

/**
 * The daily digest: the one mail a day worth reading. Health, incidents, backups with their RPO
 * colour, subscriptions due, storage with its trend, what waits for a person. A day with nothing
 * new is one line.
 */
export function dailyDigest(d: DailyData): Rendered {
  const r = d.report;
  const plans = d.plans ?? [];
  const pending = d.approvals ?? [];
  const lateBackups = plans.filter((p) => p.rpo !== "green");
  const fullVolumes = (r?.storage ?? []).filter((v) => v.usedPct >= d.warnPct);
  const unhealthy = (r?.health ?? []).filter((h) => h.health !== "ok");
  const sections = Object.entries(r?.sections ?? {}).filter(([k, s]) => !LIVE_SECTIONS.has(k) && s.lines.length > 0);
  const held = d.held.reduce((n, h) => n + h.count, 0);
  const problems = [d.plansError, d.approvalsError].filter((x): x is string => x !== undefined);
  const quiet =
    r !== undefined &&
    r.incidents.opened === 0 &&
    r.incidents.resolved === 0 &&
    r.incidents.open.length === 0 &&
    pending.length === 0 &&
    lateBackups.length === 0 &&
    fullVolumes.length === 0 &&
    unhealthy.length === 0 &&
    sections.length === 0 &&
    held === 0 &&
    problems.length === 0;

  const hosts = r?.health.length ?? 0;
  if (quiet) {
    const line = `${d.host}, ${d.dayLabel}: nothing new. ${plural(hosts, "host")} healthy, ${plural(plans.length, "backup")} on time, no incidents, nothing waiting for you.`;
    return {
      subject: `${d.host}, ${d.dayLabel}: nothing new`,
      text: line,
      html: page({ title: `${d.host}, ${d.dayLabel}`, summary: line, tone: "ok", body: "", footer: footer(d) }),
      quiet,
    };
  }

  // The subject says the most important things first.
  const heads: string[] = [];
  if (!r) heads.push("no IT report today");
  if (r && r.incidents.open.length > 0) heads.push(`${plural(r.incidents.open.length, "incident")} open`);
  if (pending.length > 0) heads.push(`${plural(pending.length, "approval")} waiting`);
  if (lateBackups.length > 0) heads.push(`${plural(lateBackups.length, "backup")} late`);
  else if (plans.length > 0) heads.push("backups on time");
  if (fullVolumes.length > 0) heads.push(`${plural(fullVolumes.length, "volume")} over ${d.warnPct}%`);
  if (r && r.incidents.open.length === 0 && (r.incidents.opened > 0 || r.incidents.resolved > 0))
    heads.push(`${plural(r.incidents.resolved, "incident")} resolved`);
  const subject = `${d.host}, ${d.dayLabel}: ${heads.join(", ") || "all well"}`;
  const tone: Tone =
    !r || (r.incidents.open.some((i) => i.severity === "critical") ?? false) || lateBackups.some((p) => p.rpo === "red")
      ? "bad"
      : heads.length > 1 || pending.length > 0 || lateBackups.length > 0
        ? "warn"
        : "ok";

  const text: string[] = [subject, ""];
  const html: string[] = [];

  if (problems.length > 0 || !r) {
    const lines = [...(!r ? [`No daily report from IT_LAG for ${d.day}: is it-incidents running? (lag status)`] : []), ...problems];
    text.push("WHAT COULD NOT BE READ", ...lines.map((l) => `  ${l}`), "");
    html.push(
      section(
        "what could not be read",
        lines.map((l) => ["", `<span style="color:#a40e26">${esc(l)}</span>`] as const),
      ),
    );
  }

  if (r) {
    text.push("HEALTH", ...r.health.map((h) => `  ${h.host}: ${h.health} — ${h.summary}`), "");
    html.push(
      section(
        "health",
        r.health.map((h) => [h.host, `${badge(h.health, HEALTH_TONE[h.health] ?? "muted")} ${esc(h.summary)}`] as const),
      ),
    );

    const inc = r.incidents;
    text.push("INCIDENTS", `  opened ${inc.opened}, resolved ${inc.resolved} in the last day; open now ${inc.open.length}`);
    for (const i of inc.open) text.push(`  [${i.severity}] ${i.host}: ${i.title} (${i.state}, since ${ago(i.openedAt, d.now)}) ${i.id}`);
    if (held > 0)
      text.push(`  ${plural(held, "notification")} kept for this digest: ${d.held.map((h) => `${h.count} ${h.severity}`).join(", ")}`);
    text.push("");
    html.push(
      section("incidents", [
        ["last day", esc(`opened ${inc.opened}, resolved ${inc.resolved}; open now ${inc.open.length}`)] as const,
        ...inc.open.map(
          (i) =>
            [
              `${i.host}: ${i.title}`,
              `${badge(i.severity, severityTone(i.severity))} ${esc(`${i.state}, since ${ago(i.openedAt, d.now)}`)}<br>${code(`lag incidents show ${i.id}`)}`,
            ] as const,
        ),
        ...(held > 0
          ? [["notifications kept for this digest", esc(d.held.map((h) => `${h.count} ${h.severity}`).join(", "))] as const]
          : []),
      ]),
    );
  }

  if (d.plans) {
    text.push("BACKUPS");
    for (const p of plans)
      text.push(
        `  ${p.plan}: ${p.rpo} — last good ${ago(p.lastSuccess, d.now)}${p.nextRun ? `, next ${utc(p.nextRun)}` : ""}` +
          `${successRate(p) ? `, ${successRate(p)}` : ""}` +
          `${p.lastDrill ? `, drill ${p.lastDrill.passed ? "passed" : "FAILED"} ${ago(p.lastDrill.at, d.now)}` : ""}`,
      );
    if (plans.length === 0) text.push("  no backup plans configured");
    text.push("");
    html.push(
      section(
        "backups",
        plans.map(
          (p) =>
            [
              p.plan,
              `${badge(p.rpo, RPO_TONE[p.rpo])} last good ${esc(ago(p.lastSuccess, d.now))}` +
                `${successRate(p) ? ` · ${successRate(p)}` : ""}` +
                `${p.lastDrill ? ` · drill ${p.lastDrill.passed ? "passed" : badge("failed", "bad")} ${esc(ago(p.lastDrill.at, d.now))}` : ""}`,
            ] as const,
        ),
        "no backup plans configured",
      ),
    );
  }

  for (const [key, s] of sections) {
    text.push((s.title || key).toUpperCase(), ...s.lines.map((l) => `  ${l}`), "");
    html.push(
      section(
        s.title || key,
        s.lines.map((l) => ["", esc(l)] as const),
      ),
    );
  }

  if (r && r.storage.length > 0) {
    text.push("STORAGE");
    for (const v of r.storage)
      text.push(
        `  ${v.host} ${v.mount}${v.role ? ` (${v.role})` : ""}: ${v.usedPct.toFixed(1)}% used, ${formatBytes(v.freeBytes)} free, ${trendText(d.trends.get(`${v.host} ${v.mount}`))}`,
      );
    text.push("");
    html.push(
      section(
        "storage",
        r.storage.map(
          (v) =>
            [
              `${v.host} ${v.mount}${v.role ? ` (${v.role})` : ""}`,
              `${badge(`${v.usedPct.toFixed(1)}%`, v.usedPct >= d.warnPct ? "bad" : v.usedPct >= d.warnPct - 10 ? "warn" : "ok")} ` +
                `${esc(formatBytes(v.freeBytes))} free · ${esc(trendText(d.trends.get(`${v.host} ${v.mount}`)))}`,
            ] as const,
        ),
      ),
    );
  }

  if (d.approvals) {
    text.push("WAITING FOR YOU");
    for (const a of pending) {
      const link = approvalLink(d.approvalLink, a.request.id);
      text.push(
        `  ${a.request.evidence.summary} (${a.request.risk} risk, expires ${utc(a.request.expiresAt)})`,
        `    ${a.request.reason}`,
        `    lag approvals show ${a.request.id}${link ? ` · ${link}` : ""}`,
      );
    }
    if (pending.length === 0) text.push("  nothing");
    text.push("");
    html.push(
      section(
        "waiting for you",
        pending.map((a) => {
          const link = approvalLink(d.approvalLink, a.request.id);
          return [
            a.request.evidence.summary,
            `${badge(`${a.request.risk} risk`, a.request.risk === "high" ? "bad" : a.request.risk === "medium" ? "warn" : "ok")} ${esc(a.request.reason)}` +
              `<br>expires ${esc(utc(a.request.expiresAt))} · ${code(`lag approvals show ${a.request.id}`)}` +
              (link ? ` · <a href="${esc(link)}" style="color:#0969da">open</a>` : ""),
          ] as const;
        }),
        "nothing",
      ),
    );
  }

  if (r) {
    const m = r.measures.bySeverity.filter((b) => b.incidents > 0);
    if (m.length > 0 || r.measures.patterns.length > 0) {
      const lines = [
        ...m.map((b) => `${b.severity}: ${b.incidents} incidents, MTTA ${minutes(b.mttaSec)}, MTTR ${minutes(b.mttrSec)}`),
        ...r.measures.patterns.map((p) => `${p.host} ${p.rule}: ${p.suggestion}`),
      ];
      text.push("LAST 7 DAYS", ...lines.map((l) => `  ${l}`), "");
      html.push(
        section(
          "last 7 days",
          lines.map((l) => ["", esc(l)] as const),
        ),
      );
    }
  }

  return {
    subject,
    text: text.join("\n").trimEnd(),
    html: page({
      title: `${d.host}, ${d.dayLabel}`,
      summary: heads.join(", ") || "all well",
      tone,
      body: html.join("\n"),
      footer: footer(d),
    }),
    quiet,
  };
}

function minutes(sec: number | null): string {
  return sec === null ? "—" : sec < 90 ? `${Math.round(sec)} s` : `${Math.round(sec / 60)} min`;
}

function footer(d: DailyData): string {
  return `IT_LAG's digest for ${esc(d.day)}, made ${esc(utc(d.now.toISOString()))}. ${code("lag mail digest --preview")} shows it again; ${code("lag reports")} has the report it is made of.`;
}
