import { and, desc, eq, gte, lte, sql } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import {
  approvalAsked,
  approvalChain,
  approvalDecided,
  type ApprovalDecision,
  type ApprovalRecord,
  type ApprovalRequest,
  type ApprovalState,
  type Decider,
} from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import type { ApprovalsConfig } from "../config.ts";
import { evaluate } from "./policy.ts";
import { approvals } from "./schema.ts";

type Db = BetterSQLite3Database<{ approvals: typeof approvals }>;
type Channel = ApprovalDecision["channel"];

const cents = (amount: number) => Math.round(amount * 100);
const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);
const monthStart = (ms: number) => {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
};

/**
 * CEO_LAG's approvals: every request kept once, decided by policy on arrival or later by a person,
 * by the requester's withdrawal or by the clock; each decision stored, then sent through the
 * outbox with an id derived from the request, so it reaches the requester exactly as stored even
 * across a crash, and a second decision of the same request is never made.
 */
export class ApprovalBook {
  constructor(
    private readonly db: Db,
    private readonly cfg: ApprovalsConfig,
    private readonly outbox: Outbox,
    private readonly log: Logger,
  ) {}

  /**
   * A request from the inbox (`eventId`: its envelope's id, the cause of what CEO_LAG publishes on
   * it). A redelivered one changes nothing.
   */
  receive(q: ApprovalRequest, now: number, eventId?: string): { record: ApprovalRecord; fresh: boolean } {
    const known = this.show(q.id);
    if (known) return { record: known, fresh: false };
    const policy = evaluate(q, this.cfg.rules, this.cfg.default, (c) => this.budgetLeft(c, now));
    const record: ApprovalRecord = { request: q, state: "pending", receivedAt: new Date(now).toISOString(), policy };
    const asks = policy.said === "ask" && Date.parse(q.expiresAt) > now;
    // Journalled before it is stored: a crash in between sends it with the same id, stored once, rather than never.
    if (asks) this.outbox.add(approvalAsked, record, approvalChain.asked(q, eventId));
    const inserted = this.db
      .insert(approvals)
      .values({
        id: q.id,
        requester: q.requester,
        state: "pending",
        receivedAt: now,
        expiresAt: Date.parse(q.expiresAt),
        costCents: q.cost ? cents(q.cost.amount) : null,
        costCurrency: q.cost?.currency ?? null,
        record,
      })
      .onConflictDoNothing()
      .run();
    if (inserted.changes === 0) return { record: this.show(q.id)!, fresh: false };
    if (asks) void this.outbox.flush();
    if (Date.parse(q.expiresAt) <= now) {
      // It waited in the stream longer than it was valid (CEO_LAG was down): the absence of an approval is not one.
      return {
        record: this.settle(q.id, "expired", { kind: "system", name: "expiry" }, "expiry", now, "expired before it arrived"),
        fresh: true,
      };
    }
    if (policy.said === "ask") return { record, fresh: true };
    const state = policy.said === "approve" ? "approved" : "denied";
    return {
      record: this.settle(q.id, state, { kind: "policy", name: policy.rule }, "policy", now, policy.note, policy.rule),
      fresh: true,
    };
  }

  /** A person's decision. Deciding a request that is not pending returns it as it is. */
  decide(
    id: string,
    verdict: "approve" | "deny",
    by: string,
    channel: Channel,
    note: string | undefined,
    now: number,
  ): ApprovalRecord | undefined {
    const r = this.show(id);
    if (r?.state !== "pending") return r;
    return this.settle(id, verdict === "approve" ? "approved" : "denied", { kind: "person", name: by }, channel, now, note, r.policy.rule);
  }

  /** The requester withdraws a request still pending. */
  cancel(id: string, reason: string, now: number): ApprovalRecord | undefined {
    const r = this.show(id);
    if (r?.state !== "pending") return r;
    return this.settle(id, "cancelled", { kind: "system", name: r.request.requester }, "requester", now, reason);
  }

  /** Pending requests whose time is up: expired, which is denied. */
  expire(now: number): number {
    const due = this.db
      .select({ id: approvals.id })
      .from(approvals)
      .where(and(eq(approvals.state, "pending"), lte(approvals.expiresAt, now)))
      .all();
    for (const { id } of due) this.settle(id, "expired", { kind: "system", name: "expiry" }, "expiry", now, "nobody decided in time");
    return due.length;
  }

  /** At start: decisions stored but maybe not handed to the outbox (a crash in between) are sent again, same id. */
  republish(): number {
    const rows = this.db.select({ record: approvals.record }).from(approvals).where(eq(approvals.published, false)).all();
    let n = 0;
    for (const { record } of rows) {
      const r = record as ApprovalRecord;
      if (!r.decision) continue;
      this.publish(r.decision, r.request);
      n++;
    }
    return n;
  }

  show(id: string): ApprovalRecord | undefined {
    return this.db.select({ record: approvals.record }).from(approvals).where(eq(approvals.id, id)).get()?.record as
      | ApprovalRecord
      | undefined;
  }

  list(state: ApprovalState | undefined, limit: number): ApprovalRecord[] {
    return this.db
      .select({ record: approvals.record })
      .from(approvals)
      .where(state ? eq(approvals.state, state) : undefined)
      .orderBy(desc(approvals.receivedAt))
      .limit(limit)
      .all()
      .map((r) => r.record as ApprovalRecord);
  }

  budget(now: number): { month: string; lines: { currency: string; limit: number; spent: number; left: number }[] } {
    return {
      month: monthOf(now),
      lines: this.cfg.budget.map((b) => {
        const spent = this.spent(b.currency, now);
        return { currency: b.currency, limit: b.monthly, spent, left: Math.round((b.monthly - spent) * 100) / 100 };
      }),
    };
  }

  private budgetLeft(currency: string, now: number): number | undefined {
    const b = this.cfg.budget.find((x) => x.currency === currency);
    return b ? b.monthly - this.spent(currency, now) : undefined;
  }

  /** What approved requests of this month cost, in that currency. */
  private spent(currency: string, now: number): number {
    const row = this.db
      .select({ c: sql<number>`coalesce(sum(${approvals.costCents}), 0)` })
      .from(approvals)
      .where(and(eq(approvals.state, "approved"), eq(approvals.costCurrency, currency), gte(approvals.decidedAt, monthStart(now))))
      .get();
    return (row?.c ?? 0) / 100;
  }

  /** Moves a pending request to its final state, stores the decision, then sends it. */
  private settle(
    id: string,
    state: Exclude<ApprovalState, "pending">,
    by: Decider,
    channel: Channel,
    now: number,
    note?: string,
    rule?: string,
  ): ApprovalRecord {
    const r = this.show(id)!;
    const decision: ApprovalDecision = {
      requestId: id,
      requester: r.request.requester,
      actionKind: r.request.action.kind,
      decision: state,
      by,
      channel,
      ...(rule ? { rule } : {}),
      ...(note ? { note } : {}),
      decidedAt: new Date(now).toISOString(),
    };
    const next: ApprovalRecord = { ...r, state, decision };
    const changed = this.db
      .update(approvals)
      .set({ state, decidedAt: now, record: next, published: false })
      .where(and(eq(approvals.id, id), eq(approvals.state, "pending")))
      .run();
    if (changed.changes === 0) return this.show(id)!;
    this.publish(decision, r.request);
    this.log.info(
      { requestId: id, requester: decision.requester, action: decision.actionKind, decision: state, by: `${by.kind}:${by.name}`, channel },
      `approval ${state}`,
    );
    return next;
  }

  private publish(d: ApprovalDecision, q: ApprovalRequest): void {
    this.outbox.add(approvalDecided, d, approvalChain.decided(q));
    this.db.update(approvals).set({ published: true }).where(eq(approvals.id, d.requestId)).run();
    void this.outbox.flush();
  }
}
