import { and, asc, count, desc, eq, gte, lt, ne } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { Clock } from "@lag/async";
import type { Bus } from "@lag/bus";
import { approvalsService, backupService, isoWeek, storageTrend, type DailyReport } from "@lag/contracts";
import type { Logger } from "@lag/log";
import { dailyDigest, type DailyData, type Rendered, type Trend } from "./compose/daily.ts";
import { weeklySummary } from "./compose/weekly.ts";
import type { MailConfig } from "./config.ts";
import type { MailQueue } from "./outgoing/queue.ts";
import { notifications, reports } from "./store/schema.ts";

type Db = BetterSQLite3Database<Record<string, unknown>>;
const DAY = 86_400_000;
/** A report older than this is not today's. */
const REPORT_FRESH = 26 * 3_600_000;

export interface DigestsOptions {
  cfg: MailConfig;
  host: string;
  db: Db;
  queue: MailQueue;
  bus: Bus;
  clock: Clock;
  log: Logger;
}

/**
 * The daily digest and the weekly summary: made from the daily reports IT_LAG sends (kept here, so
 * the storage trend and the week can be read back), the backup plans and the pending approvals as
 * they are at that moment, and the notifications that were left for the digest.
 */
export class Digests {
  constructor(private readonly o: DigestsOptions) {}

  /** Keeps a daily report (the same day sent again replaces it). */
  keep(r: DailyReport): void {
    const now = this.o.clock.now().getTime();
    this.o.db
      .insert(reports)
      .values({ day: r.day, report: r, receivedAt: now })
      .onConflictDoUpdate({ target: reports.day, set: { report: r, receivedAt: now } })
      .run();
    this.o.db
      .delete(reports)
      .where(lt(reports.receivedAt, now - 60 * DAY))
      .run();
  }

  async daily(): Promise<Rendered> {
    const now = this.o.clock.now();
    const zone = this.o.cfg.digest.daily.timezone;
    const latest = this.reportsSince(now.getTime() - REPORT_FRESH).at(-1);
    const [plans, approvals] = await Promise.all([this.plans(), this.pending()]);
    const data: DailyData = {
      host: this.o.host,
      day: localDay(now, zone),
      dayLabel: dayLabel(now, zone),
      now,
      ...(latest ? { report: latest } : {}),
      ...plans,
      ...approvals,
      trends: this.trends(latest, now.getTime() - 7 * DAY),
      held: this.held(now.getTime() - DAY),
      warnPct: this.o.cfg.digest.storageWarnPct,
      ...(this.o.cfg.digest.approvalLink ? { approvalLink: this.o.cfg.digest.approvalLink } : {}),
    };
    return dailyDigest(data);
  }

  async weekly(): Promise<Rendered> {
    const now = this.o.clock.now();
    const since = now.getTime() - 7 * DAY;
    const week = this.reportsSince(since);
    return weeklySummary({
      host: this.o.host,
      weekLabel: weekLabel(now, this.o.cfg.digest.weekly.timezone),
      now,
      reports: week,
      ...(await this.plans()),
      trends: this.trends(week.at(-1), since),
      alertsMailed: this.o.queue.sentSince("alert", since),
    });
  }

  /** Makes today's digest (or the week's summary) and queues it, once per day (week). */
  async send(kind: "daily" | "weekly"): Promise<{ id: string; rendered: Rendered; queued: boolean }> {
    const now = this.o.clock.now();
    const rendered = kind === "daily" ? await this.daily() : await this.weekly();
    const id = kind === "daily" ? `digest-${localDay(now, this.o.cfg.digest.daily.timezone)}` : `weekly-${isoWeek(now.getTime())}`;
    if (this.o.cfg.to.length === 0) {
      this.o.log.info({ mail: id }, `${kind} digest made, not queued: it.mail.to is empty`);
      return { id, rendered, queued: false };
    }
    const queued = this.o.queue.add(
      {
        id,
        purpose: kind === "daily" ? "digest" : "weekly",
        to: this.o.cfg.to,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
      },
      now.getTime(),
    );
    this.o.log.info({ mail: id, quiet: rendered.quiet, queued }, queued ? `${kind} digest queued` : `${kind} digest was queued already`);
    return { id, rendered, queued };
  }

  private reportsSince(since: number): DailyReport[] {
    return this.o.db
      .select({ report: reports.report })
      .from(reports)
      .where(gte(reports.receivedAt, since))
      .orderBy(asc(reports.day))
      .all()
      .map((r) => r.report as DailyReport);
  }

  private async plans(): Promise<{ plans?: DailyData["plans"]; plansError?: string }> {
    try {
      const r = await this.o.bus.request(backupService.endpoints.list, {}, { timeout: 10_000 });
      return { plans: r.plans };
    } catch (err) {
      return { plansError: `backups: it-backup did not answer (${(err as Error).message})` };
    }
  }

  private async pending(): Promise<{ approvals?: DailyData["approvals"]; approvalsError?: string }> {
    try {
      const r = await this.o.bus.request(approvalsService.endpoints.list, { state: "pending", limit: 100 }, { timeout: 10_000 });
      return { approvals: r.approvals };
    } catch (err) {
      return { approvalsError: `approvals: CEO_LAG did not answer (${(err as Error).message})` };
    }
  }

  /** Each volume of the report against the oldest report since then. */
  private trends(latest: DailyReport | undefined, since: number): Map<string, Trend> {
    const out = new Map<string, Trend>();
    if (!latest) return out;
    const first = this.o.db
      .select({ report: reports.report })
      .from(reports)
      .where(and(gte(reports.receivedAt, since - DAY / 2), ne(reports.day, latest.day)))
      .orderBy(asc(reports.day))
      .limit(1)
      .get()?.report as DailyReport | undefined;
    if (!first) return out;
    const days = Math.max(1, Math.round((Date.parse(latest.generatedAt) - Date.parse(first.generatedAt)) / DAY));
    for (const v of latest.storage) {
      const then = first.storage.find((x) => x.host === v.host && x.mount === v.mount);
      if (!then) continue;
      out.set(`${v.host} ${v.mount}`, storageTrend(then.usedPct, v.usedPct, days));
    }
    return out;
  }

  /** Notifications left for the digest since then, by severity. */
  private held(since: number): { severity: string; count: number }[] {
    return this.o.db
      .select({ severity: notifications.severity, count: count() })
      .from(notifications)
      .where(and(gte(notifications.at, since), eq(notifications.outcome, "digest")))
      .groupBy(notifications.severity)
      .orderBy(desc(count()))
      .all();
  }
}

export function localDay(d: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(d);
}

function dayLabel(d: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", day: "numeric", month: "short" }).format(d).replace(",", "");
}

function weekLabel(d: Date, timeZone: string): string {
  const from = new Date(d.getTime() - 6 * DAY);
  return `week ${isoWeek(d.getTime()).slice(6)} (${dayLabel(from, timeZone)} – ${dayLabel(d, timeZone)})`;
}
