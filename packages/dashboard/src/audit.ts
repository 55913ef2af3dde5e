import { desc } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { Logger } from "@lag/log";
import { audit } from "./store/schema.ts";

type Db = BetterSQLite3Database<Record<string, unknown>>;

export interface AuditEntry {
  at: string;
  user: string;
  action: string;
  target: string;
  outcome: "ok" | "refused" | "failed";
  detail: string;
  address: string;
}

/** Every action taken on the page (and every refusal), with the user: in SQLite and in the log. */
export class AuditTrail {
  constructor(private readonly o: { db: Db; log: Logger }) {}

  record(e: Omit<AuditEntry, "at">, now: number): void {
    this.o.db
      .insert(audit)
      .values({ ...e, at: now })
      .run();
    const line = { user: e.user, action: e.action, target: e.target, outcome: e.outcome, address: e.address };
    if (e.outcome === "ok") this.o.log.info(line, e.detail);
    else this.o.log.warn(line, e.detail);
  }

  recent(limit = 100): AuditEntry[] {
    return this.o.db
      .select()
      .from(audit)
      .orderBy(desc(audit.seq))
      .limit(limit)
      .all()
      .map((r) => ({ ...r, at: new Date(r.at).toISOString(), outcome: r.outcome as AuditEntry["outcome"] }));
  }
}
