import { desc } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { alert, statusReport } from "@lag/contracts";
import type { Delivery } from "@lag/bus";
import { inbox } from "./schema.ts";

export type InboxRow = typeof inbox.$inferSelect;

/** Stores what CEO_LAG receives. Recording the same event twice keeps one row (redeliveries). */
export class Inbox {
  constructor(private readonly db: BetterSQLite3Database<{ inbox: typeof inbox }>) {}

  /** Returns false when the event was already in the inbox. */
  record(d: Delivery, now = new Date()): boolean {
    const row: typeof inbox.$inferInsert = {
      id: d.envelope.id,
      type: d.envelope.type,
      subject: d.subject,
      source: d.envelope.source,
      time: d.envelope.time,
      receivedAt: now.toISOString(),
      summary: d.envelope.type,
      correlationId: d.envelope.correlationid ?? null,
      streamSeq: d.stream?.sequence ?? null,
      data: d.data,
    };
    if (d.is(alert)) {
      Object.assign(row, { host: d.data.host, severity: d.data.severity, status: d.data.status, summary: d.data.summary });
    } else if (d.is(statusReport)) {
      Object.assign(row, { host: d.data.host, status: d.data.health, summary: d.data.summary });
    }
    const res = this.db.insert(inbox).values(row).onConflictDoNothing().run();
    return res.changes > 0;
  }

  latest(limit = 50): InboxRow[] {
    return this.db.select().from(inbox).orderBy(desc(inbox.time)).limit(limit).all();
  }

  count(): number {
    return this.db.$count(inbox) as unknown as number;
  }
}
