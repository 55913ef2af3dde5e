import type { Bus } from "@lag/bus";
import {
  approvalsService,
  backupService,
  formatBytes,
  maintenanceService,
  monitorService,
  type CheckUptime,
  type UptimeWindow,
  maintenanceSummary,
  type MaintenanceResult,
  storageService,
  subscriptionsService,
  type DailyReport,
  type PlanStatus,
  type StatusReport,
  type Subscription,
} from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { IncidentEngine } from "./engine.ts";
import { measure } from "./measures.ts";
import type { IncidentStore } from "./store/incident-store.ts";

const DAY = 86_400_000;

export interface ReportInputs {
  store: IncidentStore;
  engine: IncidentEngine;
  bus: Bus;
  log: Logger;
  /** The latest status report of each host. */
  health: ReadonlyMap<string, StatusReport>;
  patternAtLeast: number;
  /** How long to wait for CEO_LAG and the monitors to answer. */
  askTimeoutMs?: number;
  /** The report's time zone (its days). */
  timezone?: string;
}

/** A duration for a person: `17 s`, `5 min`, `2 h 10 min`. */
function spoken(sec: number): string {
  if (sec < 90) return `${sec} s`;
  const min = Math.round(sec / 60);
  return min < 120 ? `${min} min` : `${Math.floor(min / 60)} h ${min % 60} min`;
}

/** One check in a line: availability over 24 h (with the time down), 7 d and 30 d, the day's p95, and the silences of the day. */
export function uptimeLines(host: string, c: CheckUptime, now: number): string[] {
  const w = (name: UptimeWindow["window"]) => c.windows.find((x) => x.window === name);
  const pct = (x: UptimeWindow | undefined) => (x?.availabilityPct == null ? "no data" : `${x.availabilityPct} %`);
  const day = w("24h");
  const head = [
    `${host}/${c.check}: 24 h ${pct(day)}${day && day.downSec > 0 ? ` (${spoken(day.downSec)} down)` : ""}`,
    `7 d ${pct(w("7d"))}`,
    `30 d ${pct(w("30d"))}`,
  ].join(", ");
  const p95 = day?.p95Ms == null ? "" : `; p95 ${day.p95Ms} ms`;
  const silenced = c.silences
    .filter((x) => Date.parse(x.endsAt) > now - DAY)
    .map((x) => `  silenced ${x.startsAt.slice(11, 16)}–${x.endsAt.slice(11, 16)} UTC by ${x.createdBy}${x.note ? `: ${x.note}` : ""}`);
  return [`${head}${p95}`, ...silenced];
}

/** `412.3 GiB (+1.2 % in 7 days)`: the last good run's size against the first of the last 7 days. */
function sizeTrend(p: PlanStatus): string[] {
  const last = p.sizes.at(-1);
  if (!last) return [];
  const weekAgo = Date.parse(last.at) - 7 * DAY;
  const first = p.sizes.find((s) => Date.parse(s.at) >= weekAgo);
  const pct = first && first !== last && first.bytes > 0 ? (last.bytes / first.bytes - 1) * 100 : undefined;
  const change = pct === undefined ? "" : ` (${pct >= 0 ? "+" : ""}${pct.toFixed(1)} % in 7 days)`;
  return [`size ${formatBytes(last.bytes)}${change}`];
}

/** One plan in a line: its RPO colour, last good copy, each repository that failed, the check and the drill. */
export function backupLine(p: PlanStatus): string {
  const failed = p.repositories.filter((r) => r.lastError).map((r) => `${r.name} failed: ${r.lastError}`);
  const parts = [
    `${p.plan}: ${p.rpo}`,
    p.lastSuccess ? `last good ${p.lastSuccess}` : "never succeeded",
    ...failed,
    `checked ${p.verification.done}/${p.verification.of}${p.verification.lastData?.ok === false ? " (damage found)" : ""}`,
    p.lastDrill ? `drill ${p.lastDrill.passed ? "passed" : "FAILED"} ${p.lastDrill.at}` : "no drill yet",
    ...sizeTrend(p),
  ];
  return parts.join("; ");
}

/** Days a subscription's date must be within to be in the report. */
const SUBSCRIPTIONS_AHEAD_DAYS = 30;

/** One subscription in a line: what, its nearest date and where it came from, what renewal is doing, a failing source. */
export function subscriptionLine(s: Subscription, now: number): string {
  const left = (iso: string) => {
    const d = Math.ceil((Date.parse(iso) - now) / DAY);
    return d >= 0 ? `in ${d} days` : `${-d} days ago`;
  };
  const parts = [
    `${s.kind} ${s.name}: ${s.expiresAt ? `expires ${s.expiresAt.slice(0, 10)} (${left(s.expiresAt)}${s.expirySource ? `, from ${s.expirySource.kind}` : ""})` : "no expiry known"}`,
    ...(s.noticeAt ? [`last day to renew or cancel ${s.noticeAt.slice(0, 10)} (${left(s.noticeAt)})`] : []),
    s.renewalState && s.renewalState.state !== "done" ? `renewal ${s.renewalState.state}: ${s.renewalState.note}` : `renewal ${s.renewal}`,
    ...(s.check.state === "failing" ? [`source failing: ${s.check.error ?? "?"}`] : []),
  ];
  return parts.join("; ");
}

/** A maintenance task's last result: its summary, then what needs a look (image updates pending, where failed logins come from). */
export function maintenanceLines(r: MaintenanceResult | undefined): string[] {
  if (!r) return [];
  const head = `${r.task} (${r.at.slice(0, 16).replace("T", " ")}): ${maintenanceSummary(r)}`;
  if (r.task === "image-updates")
    return [
      head,
      ...r.containers
        .filter((c) => c.state === "update" || (c.newerTags?.length ?? 0) > 0)
        .map(
          (c) =>
            `  ${c.container} (${c.image}): ${c.state === "update" ? "newer image for its tag" : `newer tags ${c.newerTags!.slice(0, 3).join(", ")}`}${c.pendingSince ? `, pending since ${c.pendingSince.slice(0, 10)}` : ""}`,
        ),
    ];
  if (r.task === "failed-logins")
    return [head, ...r.top.slice(0, 5).map((s) => `  ${s.address}: ${s.count} (${s.users.slice(0, 3).join(", ")})`)];
  return [head];
}

/**
 * The day as IT_LAG saw it: health per host (from the monitors' status reports), incidents opened
 * and resolved in the last 24 h and open now, the 7-day measures and patterns, the approvals still
 * waiting (asked of CEO_LAG), the storage of every host (asked of the monitors), each backup plan's
 * RPO (asked of it-backup), the subscriptions due within 30 days (asked of it-subscriptions), each
 * maintenance task's last result with the image updates pending and the top failed-login sources
 * (asked of it-maintenance), each check's uptime (asked of each host's monitor). A part that cannot
 * be had is said so in `sections.missing`, never made up.
 */
export async function buildDailyReport(i: ReportInputs, now: number): Promise<DailyReport> {
  const timeout = i.askTimeoutMs ?? 5_000;
  const missing: string[] = [];
  const day = new Date(now).toISOString().slice(0, 10);
  // Asked of every host at the same time as the rest.
  const uptimeAsked = Promise.all(
    [...i.health.keys()].sort().map((host) =>
      i.bus
        .request(
          monitorService.endpoints.uptime,
          { days: 1, timezone: i.timezone ?? "UTC", excludeSilences: false },
          { tokens: { host }, timeout },
        )
        .catch((err: Error) => {
          missing.push(`uptime of ${host}: its monitor did not answer (${err.message})`);
          return undefined;
        }),
    ),
  );
  const [approvals, storage, backups, subscriptions, maintenance] = await Promise.all([
    i.bus.request(approvalsService.endpoints.list, { state: "pending", limit: 1000 }, { timeout }).catch((err: Error) => {
      missing.push(`approvals: CEO_LAG did not answer (${err.message})`);
      return undefined;
    }),
    i.bus.request(storageService.endpoints.query, {}, { timeout }).catch((err: Error) => {
      missing.push(`storage: it-storage did not answer (${err.message})`);
      return undefined;
    }),
    i.bus.request(backupService.endpoints.list, {}, { timeout }).catch((err: Error) => {
      missing.push(`backups: it-backup did not answer (${err.message})`);
      return undefined;
    }),
    i.bus.request(subscriptionsService.endpoints.list, { dueWithinDays: SUBSCRIPTIONS_AHEAD_DAYS }, { timeout }).catch((err: Error) => {
      missing.push(`subscriptions: it-subscriptions did not answer (${err.message})`);
      return undefined;
    }),
    i.bus.request(maintenanceService.endpoints.status, {}, { timeout }).catch((err: Error) => {
      missing.push(`maintenance: it-maintenance did not answer (${err.message})`);
      return undefined;
    }),
  ]);
  const uptimeSection = (await uptimeAsked).flatMap((r) => (r ? r.checks.flatMap((c) => uptimeLines(r.host, c, now)) : []));
  const week = i.store.openedSince(now - 7 * DAY);
  const hosts = new Set([...i.health.keys(), ...i.engine.openIncidents().map((x) => x.host)]);
  const report: DailyReport = {
    day,
    generatedAt: new Date(now).toISOString(),
    health: [...hosts].sort().map((host) => {
      const r = i.health.get(host);
      return r
        ? { host, health: r.health, summary: r.summary }
        : { host, health: "unknown" as const, summary: "no status report received" };
    }),
    incidents: {
      opened: week.filter((r) => r.openedAt >= now - DAY).length,
      resolved: i.store.resolvedSince(now - DAY),
      open: i.engine
        .openIncidents()
        .map(({ id, title, host, severity, state, openedAt }) => ({ id, title, host, severity, state, openedAt })),
    },
    measures: measure(week, i.store.firingsSince(now - 7 * DAY), now - 7 * DAY, i.patternAtLeast),
    approvals: {
      pending: approvals?.approvals.length ?? 0,
      items: (approvals?.approvals ?? []).map((a) => ({
        id: a.request.id,
        action: a.request.action.kind,
        reason: a.request.reason,
        expiresAt: a.request.expiresAt,
      })),
    },
    storage: (storage?.volumes ?? []).map((v) => ({
      host: v.host,
      mount: v.mount,
      ...(v.role ? { role: v.role } : {}),
      usedPct: v.usedPct,
      freeBytes: v.freeBytes,
    })),
    sections: {
      ...(backups && backups.plans.length > 0 ? { backups: { title: "Backups", lines: backups.plans.map(backupLine) } } : {}),
      ...(subscriptions && subscriptions.subscriptions.length > 0
        ? {
            subscriptions: {
              title: `Subscriptions due within ${SUBSCRIPTIONS_AHEAD_DAYS} days`,
              lines: subscriptions.subscriptions.map((s) => subscriptionLine(s, now)),
            },
          }
        : {}),
      ...(uptimeSection.length > 0 ? { uptime: { title: "Uptime (24 h, 7 d, 30 d)", lines: uptimeSection } } : {}),
      ...(maintenance?.tasks.some((t) => t.lastRun)
        ? { maintenance: { title: "Maintenance", lines: maintenance.tasks.flatMap((t) => maintenanceLines(t.lastRun)) } }
        : {}),
      ...(missing.length > 0 ? { missing: { title: "Not in this report", lines: missing } } : {}),
    },
  };
  if (missing.length > 0) i.log.warn({ missing }, "daily report is missing parts");
  return report;
}
