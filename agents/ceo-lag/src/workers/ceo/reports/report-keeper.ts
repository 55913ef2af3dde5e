import { desc, notInArray, sql } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { severityRank, type DailyReport, type Severity } from "@lag/contracts";
import type { z } from "zod";
import type { WeeklyRollup } from "@lag/contracts";
import { dailyReports } from "./schema.ts";

type Db = BetterSQLite3Database<{ dailyReports: typeof dailyReports }>;
type Weekly = z.infer<typeof WeeklyRollup>;

/** The daily IT reports CEO_LAG keeps (the last `keep` days) and the weekly roll-up of the last seven. */
export class ReportKeeper {
  constructor(
    private readonly db: Db,
    private readonly keep: number,
  ) {}

  store(r: DailyReport, now: number): void {
    const row = { day: r.day, receivedAt: new Date(now).toISOString(), report: r };
    this.db.insert(dailyReports).values(row).onConflictDoUpdate({ target: dailyReports.day, set: row }).run();
    const kept = this.db.select({ day: dailyReports.day }).from(dailyReports).orderBy(desc(dailyReports.day)).limit(this.keep).all();
    this.db
      .delete(dailyReports)
      .where(
        notInArray(
          dailyReports.day,
          kept.map((k) => k.day),
        ),
      )
      .run();
  }

  count(): number {
    return this.db.select({ n: sql<number>`count(*)` }).from(dailyReports).get()!.n;
  }

  latest(n: number): DailyReport[] {
    return this.db
      .select({ report: dailyReports.report })
      .from(dailyReports)
      .orderBy(desc(dailyReports.day))
      .limit(n)
      .all()
      .map((r) => r.report as DailyReport);
  }

  /** The last seven reports rolled up: incidents, severities, the worst health each host had and on how many days, patterns. */
  weekly(): Weekly | undefined {
    const days = this.latest(7);
    if (days.length === 0) return undefined;
    const bySeverity = new Map<Severity, number>();
    const worst = new Map<string, { health: string; days: number }>();
    const rank: Record<string, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };
    const patterns = new Set<string>();
    for (const d of days) {
      for (const s of d.measures.bySeverity) bySeverity.set(s.severity, Math.max(bySeverity.get(s.severity) ?? 0, s.incidents));
      for (const h of d.health) {
        const w = worst.get(h.host);
        if (!w || rank[h.health]! > rank[w.health]!) worst.set(h.host, { health: h.health, days: 1 });
        else if (w.health === h.health) w.days++;
      }
      for (const p of d.measures.patterns) patterns.add(`${p.host} ${p.rule}: ${p.suggestion}`);
    }
    return {
      from: days.at(-1)!.day,
      to: days[0]!.day,
      days: days.length,
      incidents: {
        opened: days.reduce((n, d) => n + d.incidents.opened, 0),
        resolved: days.reduce((n, d) => n + d.incidents.resolved, 0),
      },
      // Each daily report's measures cover 7 days: the largest count of the week is the week's.
      bySeverity: [...bySeverity.entries()]
        .sort((a, b) => severityRank[b[0]] - severityRank[a[0]])
        .map(([severity, incidents]) => ({ severity, incidents })),
      worstHealth: [...worst.entries()].sort().map(([host, w]) => ({ host, ...w })),
      patterns: [...patterns],
    };
  }
}
