import { createHash, randomInt } from "node:crypto";
import { eq, lt } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { Clock } from "@lag/async";
import type { Bus } from "@lag/bus";
import { approvalsService, type ApprovalDecisionType, type ApprovalRecord, type MailIn } from "@lag/contracts";
import type { Logger } from "@lag/log";
import { approvalLink, approvalMail } from "./compose/approval.ts";
import type { MailConfig } from "./config.ts";
import { CODE_ALPHABET, normalizeCode, readVerdict } from "./inbound/replies.ts";
import type { MailQueue } from "./outgoing/queue.ts";
import { approvalCodes } from "./store/schema.ts";

type Db = BetterSQLite3Database<Record<string, unknown>>;
type ReplyOutcome = Pick<Extract<MailIn, { kind: "approval-reply" }>, "requestId" | "decision" | "outcome" | "reason">;

const hash = (code: string) => createHash("sha256").update(normalizeCode(code)).digest("hex");

function newCode(): string {
  let s = "";
  for (let i = 0; i < 8; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

export interface MailApprovalsOptions {
  cfg: MailConfig;
  db: Db;
  queue: MailQueue;
  bus: Bus;
  clock: Clock;
  log: Logger;
}

/**
 * Approvals by mail. A request that waits for a person is mailed to each approver with a code of
 * their own; a reply "APPROVE <code>" or "DENY <code>" decides it through CEO_LAG (channel mail,
 * the approver as who). The code is bound to the request and to the address it was sent to, is
 * good once, and only until the request expires or is decided another way. Anything else — a
 * stranger, a failed authentication, a wrong or spent code, an unreadable reply — decides nothing.
 */
export class MailApprovals {
  private readonly approvers: Set<string>;

  constructor(private readonly o: MailApprovalsOptions) {
    this.approvers = new Set(o.cfg.approvals.to.map((a) => a.toLowerCase()));
  }

  isApprover(address: string): boolean {
    return this.approvers.has(address.toLowerCase());
  }

  /** A request waits for a person: one mail and one code per approver, once. */
  asked(r: ApprovalRecord): number {
    if (!this.o.cfg.approvals.enabled) return 0;
    const now = this.o.clock.now().getTime();
    const expiresAt = Date.parse(r.request.expiresAt);
    if (expiresAt <= now) return 0;
    let queued = 0;
    for (const to of this.o.cfg.approvals.to) {
      const code = newCode();
      const mail = approvalMail(r, to, code, approvalLink(this.o.cfg.digest.approvalLink, r.request.id));
      // The code and its mail together: a redelivered request finds the mail queued and makes no second code.
      this.o.db.transaction((tx) => {
        if (this.o.queue.get(mail.id)) return;
        tx.insert(approvalCodes)
          .values({
            codeHash: hash(code),
            requestId: r.request.id,
            address: to.toLowerCase(),
            expiresAt,
            createdAt: now,
          })
          .run();
        this.o.queue.add(mail, now);
        queued++;
      });
    }
    if (queued > 0) this.o.log.info({ requestId: r.request.id, approvers: queued }, "approval mailed with reply codes");
    return queued;
  }

  /** A request was decided (by any channel): its codes count no more. */
  decided(d: ApprovalDecisionType): void {
    this.o.db
      .update(approvalCodes)
      .set({ closed: `already ${d.decision} by ${d.by.name} (${d.channel})` })
      .where(eq(approvalCodes.requestId, d.requestId))
      .run();
  }

  /** Forgets the codes of requests that expired before then. */
  forget(before: number): number {
    return this.o.db.delete(approvalCodes).where(lt(approvalCodes.expiresAt, before)).run().changes;
  }

  /**
   * A reply. Throws only when CEO_LAG cannot be asked (the mail is read again later); every other
   * outcome is returned, and logged.
   */
  async reply(m: { from: string; text: string; messageId: string; unauthenticated?: string }): Promise<ReplyOutcome> {
    const from = m.from.toLowerCase();
    const no = (reason: string, extra: Partial<ReplyOutcome> = {}): ReplyOutcome => {
      this.o.log.warn({ from, messageId: m.messageId, reason, ...extra }, "approval reply decides nothing");
      return { outcome: "rejected", reason, ...extra };
    };
    const verdict = readVerdict(m.text);
    if ("error" in verdict) return no(verdict.error);
    if (!this.isApprover(from)) return no(`${from || "the sender"} is not an approver (it.mail.approvals.to)`);
    if (m.unauthenticated) return no(`not authenticated: ${m.unauthenticated}`);
    const row = this.o.db
      .select()
      .from(approvalCodes)
      .where(eq(approvalCodes.codeHash, hash(verdict.code)))
      .get();
    if (!row) return no("unknown code", { decision: verdict.decision });
    const about = { requestId: row.requestId, decision: verdict.decision };
    if (row.address !== from) return no("the code was sent to another approver", about);
    if (row.usedAt !== null) return no("the code was used already", about);
    if (row.closed !== null) {
      this.o.log.info({ from, requestId: row.requestId, closed: row.closed }, "approval reply for a request decided already");
      return { outcome: "already-decided", reason: row.closed, ...about };
    }
    const now = this.o.clock.now().getTime();
    if (row.expiresAt <= now) return no("the request has expired", about);
    const r = await this.o.bus.request(approvalsService.endpoints.decide, {
      id: row.requestId,
      decision: verdict.decision,
      by: from,
      channel: "mail",
      note: `reply ${m.messageId}`,
    });
    this.o.db
      .update(approvalCodes)
      .set({ usedAt: now, closed: `used by ${m.messageId}` })
      .where(eq(approvalCodes.codeHash, row.codeHash))
      .run();
    if (!r.decidedNow) {
      const reason = `already ${r.state}${r.decision ? ` by ${r.decision.by.name} (${r.decision.channel})` : ""}`;
      this.o.log.info({ from, requestId: row.requestId, reason }, "approval reply for a request decided already");
      return { outcome: "already-decided", reason, ...about };
    }
    this.o.log.info({ from, requestId: row.requestId, decision: verdict.decision }, "approval decided by mail");
    return { outcome: "decided", reason: `${verdict.decision === "approve" ? "approved" : "denied"} by ${from}`, ...about };
  }
}
