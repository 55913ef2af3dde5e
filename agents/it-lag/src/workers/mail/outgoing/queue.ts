import { and, asc, count, desc, eq, gte, inArray, lt, lte, ne, sql } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { MailPurpose, OutgoingMail } from "@lag/contracts";
import { outgoing } from "../store/schema.ts";

type Db = BetterSQLite3Database<Record<string, unknown>>;
type Row = typeof outgoing.$inferSelect;

/** A mail to send: what it is, to whom, its two bodies. */
export interface Mail {
  id: string;
  purpose: MailPurpose;
  to: string[];
  subject: string;
  text: string;
  html?: string;
  incident?: string;
  requestId?: string;
}

const iso = (ms: number | null) => (ms === null ? undefined : new Date(ms).toISOString());

/**
 * The outgoing queue, in SQLite: a mail is written down before anything tries to send it, so a
 * crash or an SMTP outage loses none; its id is chosen from what it is about, so the same mail is
 * queued once however often its cause is delivered; its Message-ID is fixed at queueing, the same
 * on every attempt.
 */
export class MailQueue {
  constructor(
    private readonly db: Db,
    private readonly host: string,
  ) {}

  /** Queues the mail unless one with its id is known; true when it was queued now. */
  add(m: Mail, now: number): boolean {
    const r = this.db
      .insert(outgoing)
      .values({
        id: m.id,
        purpose: m.purpose,
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html ?? null,
        messageId: `<${m.id}@lag.${this.host}>`,
        state: "queued",
        attempts: 0,
        queuedAt: now,
        nextAttemptAt: now,
        incident: m.incident ?? null,
        requestId: m.requestId ?? null,
      })
      .onConflictDoNothing()
      .run();
    return r.changes > 0;
  }

  get(id: string): Row | undefined {
    return this.db.select().from(outgoing).where(eq(outgoing.id, id)).get();
  }

  /** Mails whose next attempt is due, oldest first. */
  due(now: number, limit = 20): Row[] {
    return this.db
      .select()
      .from(outgoing)
      .where(and(eq(outgoing.state, "queued"), lte(outgoing.nextAttemptAt, now)))
      .orderBy(asc(outgoing.queuedAt))
      .limit(limit)
      .all();
  }

  /** When the next queued mail is due, if any waits. */
  nextDue(): number | undefined {
    return this.db
      .select({ at: outgoing.nextAttemptAt })
      .from(outgoing)
      .where(eq(outgoing.state, "queued"))
      .orderBy(asc(outgoing.nextAttemptAt))
      .limit(1)
      .get()?.at;
  }

  /** An attempt begins: counted before the SMTP conversation, so a crash during it is one attempt. Returns the count. */
  attempt(id: string): number {
    const r = this.db
      .update(outgoing)
      .set({ attempts: sql`${outgoing.attempts} + 1` })
      .where(eq(outgoing.id, id))
      .returning({ attempts: outgoing.attempts })
      .get();
    return r!.attempts;
  }

  /** Sent. An approval mail's bodies are dropped then: they hold a reply code, which is kept only as a hash. */
  sent(row: Pick<Row, "id" | "purpose">, now: number): void {
    this.db
      .update(outgoing)
      .set({
        state: "sent",
        sentAt: now,
        lastError: null,
        ...(row.purpose === "approval" ? { text: "(sent; it held a reply code)", html: null } : {}),
      })
      .where(eq(outgoing.id, row.id))
      .run();
  }

  failed(id: string, error: string, now: number): void {
    this.db.update(outgoing).set({ state: "failed", sentAt: now, lastError: error }).where(eq(outgoing.id, id)).run();
  }

  retryAt(id: string, at: number, error: string): void {
    this.db.update(outgoing).set({ nextAttemptAt: at, lastError: error }).where(eq(outgoing.id, id)).run();
  }

  /** When the last mail about this incident was queued (what the repeat interval counts from). */
  lastAbout(incident: string, purpose: MailPurpose): number | undefined {
    return this.db
      .select({ at: outgoing.queuedAt })
      .from(outgoing)
      .where(and(eq(outgoing.incident, incident), eq(outgoing.purpose, purpose)))
      .orderBy(desc(outgoing.queuedAt))
      .limit(1)
      .get()?.at;
  }

  /** The Message-ID of the first mail of this purpose about the incident: what the later ones answer, so they thread. */
  firstAbout(incident: string, purpose: MailPurpose): string | undefined {
    return this.db
      .select({ messageId: outgoing.messageId })
      .from(outgoing)
      .where(and(eq(outgoing.incident, incident), eq(outgoing.purpose, purpose)))
      .orderBy(asc(outgoing.queuedAt))
      .limit(1)
      .get()?.messageId;
  }

  /** Which of our mails a reply answers, from its In-Reply-To and References: what it was and what about. */
  answered(references: string): { purpose: MailPurpose; incident?: string; requestId?: string } | undefined {
    const ids = references.match(/<[^<>\s]+>/g) ?? [];
    if (ids.length === 0) return undefined;
    const row = this.db
      .select({ purpose: outgoing.purpose, incident: outgoing.incident, requestId: outgoing.requestId })
      .from(outgoing)
      .where(inArray(outgoing.messageId, ids))
      .limit(1)
      .get();
    if (!row) return undefined;
    return {
      purpose: row.purpose as MailPurpose,
      ...(row.incident ? { incident: row.incident } : {}),
      ...(row.requestId ? { requestId: row.requestId } : {}),
    };
  }

  list(state: OutgoingMail["state"] | undefined, limit: number): OutgoingMail[] {
    return this.db
      .select()
      .from(outgoing)
      .where(state ? eq(outgoing.state, state) : undefined)
      .orderBy(desc(outgoing.queuedAt))
      .limit(limit)
      .all()
      .map((r) => ({
        id: r.id,
        purpose: r.purpose as MailPurpose,
        to: r.to,
        subject: r.subject,
        state: r.state as OutgoingMail["state"],
        attempts: r.attempts,
        queuedAt: iso(r.queuedAt)!,
        ...(r.state === "queued" ? { nextAttemptAt: iso(r.nextAttemptAt) } : {}),
        ...(r.sentAt !== null ? { sentAt: iso(r.sentAt) } : {}),
        ...(r.lastError !== null ? { lastError: r.lastError } : {}),
        messageId: r.messageId,
      }));
  }

  queued(): number {
    return this.db.select({ n: count() }).from(outgoing).where(eq(outgoing.state, "queued")).get()?.n ?? 0;
  }

  /** Mails of one purpose sent since then (the weekly summary counts the alerts). */
  sentSince(purpose: MailPurpose, since: number): number {
    return (
      this.db
        .select({ n: count() })
        .from(outgoing)
        .where(and(eq(outgoing.purpose, purpose), eq(outgoing.state, "sent"), gte(outgoing.sentAt, since)))
        .get()?.n ?? 0
    );
  }

  /** Forgets sent and refused mails older than the cutoff. */
  prune(before: number): number {
    return this.db
      .delete(outgoing)
      .where(and(lt(outgoing.queuedAt, before), ne(outgoing.state, "queued")))
      .run().changes;
  }
}
