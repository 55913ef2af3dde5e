import { createTransport } from "nodemailer";
import { backoffDelay, type Clock } from "@lag/async";
import { readSecret } from "@lag/config";
import { mailOut, type MailPurpose } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import type { SmtpConfig } from "../config.ts";
import type { MailQueue } from "./queue.ts";

type Row = NonNullable<ReturnType<MailQueue["get"]>>;

export interface SenderOptions {
  queue: MailQueue;
  smtp: SmtpConfig | undefined;
  from: string;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
  retryMin: number;
  retryMax: number;
}

/** What an SMTP failure means for the mail: try again later, or never (the server refused this mail for good). */
export function isPermanent(err: unknown): boolean {
  const e = err as { responseCode?: number; code?: string };
  // 5xx refuses the mail; but 530/534/535 refuse our login, which is fixed in the configuration, not in the mail.
  return typeof e.responseCode === "number" && e.responseCode >= 500 && ![530, 534, 535].includes(e.responseCode);
}

/**
 * Sends the queue over SMTP with nodemailer, one mail at a time, oldest first, never in the way of
 * the worker (a kick starts a round in the background). A mail the server does not take now is
 * tried again after a back-off that doubles up to a ceiling, across restarts (the queue is in
 * SQLite); one it refuses for good (5xx) is marked failed. Either way the end is published once.
 */
export class MailSender {
  private running?: Promise<void>;
  private again = false;
  private cancelTimer?: () => void;
  private stopped = false;
  private outage = false;
  private readonly waiters = new Map<string, (() => void)[]>();

  constructor(private readonly o: SenderOptions) {
    if (!o.smtp) o.log.warn("it.mail.smtp is not configured: mails are queued and kept, not sent");
  }

  /** Starts a round now (or right after the one under way). */
  kick(): void {
    if (this.stopped || !this.o.smtp) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.round().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.kick();
      } else this.armTimer();
    });
  }

  /** Resolves once the mail is sent or refused, or after `ms` (then it is still queued). */
  async waitFor(id: string, ms: number): Promise<void> {
    const row = this.o.queue.get(id);
    if (row?.state !== "queued") return;
    await new Promise<void>((resolve) => {
      const list = this.waiters.get(id) ?? [];
      const done = () => {
        clearTimeout(t);
        const left = (this.waiters.get(id) ?? []).filter((w) => w !== done);
        if (left.length > 0) this.waiters.set(id, left);
        else this.waiters.delete(id);
        resolve();
      };
      const t = setTimeout(done, ms);
      list.push(done);
      this.waiters.set(id, list);
    });
  }

  /** Lets the mail in flight finish; nothing new starts. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    await this.running;
  }

  private armTimer(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const next = this.o.queue.nextDue();
    if (next === undefined || this.stopped) return;
    this.cancelTimer = this.o.clock.after(Math.max(0, next - this.o.clock.now().getTime()), () => this.kick());
  }

  private async round(): Promise<void> {
    const smtp = this.o.smtp!;
    let password: string | undefined;
    try {
      password = smtp.password ? readSecret(smtp.password) : undefined;
    } catch (err) {
      this.o.log.error({ reason: (err as Error).message }, "cannot send mail: the SMTP password cannot be read");
      return;
    }
    const transport = createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.security === "tls",
      requireTLS: smtp.security === "starttls",
      ignoreTLS: smtp.security === "none",
      ...(smtp.user ? { auth: { user: smtp.user, pass: password ?? "" } } : {}),
      connectionTimeout: smtp.timeout,
      greetingTimeout: smtp.timeout,
      socketTimeout: smtp.timeout,
      tls: { rejectUnauthorized: !smtp.allowSelfSigned },
      logger: false,
      debug: false,
    });
    const redact = (s: string) => (password ? s.split(password).join("***") : s);
    try {
      for (;;) {
        const due = this.o.queue.due(this.o.clock.now().getTime());
        if (due.length === 0 || this.stopped) return;
        for (const row of due) {
          if (this.stopped) return;
          const ok = await this.sendOne(transport, row, redact);
          // The server is not taking mail: the others wait for their own next attempt.
          if (!ok) return;
        }
      }
    } finally {
      transport.close();
    }
  }

  /** One attempt; false when the server could not be reached or did not take it (try later). */
  private async sendOne(transport: ReturnType<typeof createTransport>, row: Row, redact: (s: string) => string): Promise<boolean> {
    const { queue, clock, log } = this.o;
    const attempts = queue.attempt(row.id);
    // Nothing any server could take: refused here, once, rather than retried for ever.
    if (row.to.length === 0) return this.failed(row, attempts, "no recipients");
    // Reminders and the all-clear answer the incident's first mail: one conversation in the reader's client.
    const first = row.incident ? queue.firstAbout(row.incident, "alert") : undefined;
    const thread = first && first !== row.messageId ? { inReplyTo: first, references: [first] } : {};
    try {
      await transport.sendMail({
        messageId: row.messageId,
        ...thread,
        from: this.o.from,
        to: row.to,
        subject: row.subject,
        text: row.text,
        ...(row.html ? { html: row.html } : {}),
        headers: { "Auto-Submitted": "auto-generated", "X-LAG-Purpose": row.purpose },
      });
    } catch (err) {
      const reason = redact((err as Error).message);
      const now = clock.now().getTime();
      if (isPermanent(err)) return this.failed(row, attempts, reason);
      const wait = backoffDelay(attempts, { initialMs: this.o.retryMin, maxMs: this.o.retryMax, jitter: 0.1 });
      queue.retryAt(row.id, now + wait, reason);
      if (!this.outage) log.warn({ mail: row.id, attempts, retryInMs: wait, reason }, "mail not sent; kept in the queue for retry");
      this.outage = true;
      return false;
    }
    const now = clock.now().getTime();
    queue.sent(row, now);
    if (this.outage) log.info({ mail: row.id, attempts }, "the SMTP server takes mail again");
    this.outage = false;
    this.settled(row, "sent", attempts, now);
    log.info({ mail: row.id, purpose: row.purpose, to: row.to, attempts }, "mail sent");
    return true;
  }

  /** Refused for good: marked, published, logged; the round goes on with the next mail. */
  private failed(row: Row, attempts: number, reason: string): true {
    const now = this.o.clock.now().getTime();
    this.o.queue.failed(row.id, reason, now);
    this.settled(row, "failed", attempts, now, reason);
    this.o.log.error({ mail: row.id, purpose: row.purpose, to: row.to, reason }, "the mail was refused for good");
    return true;
  }

  private settled(row: Row, status: "sent" | "failed", attempts: number, now: number, error?: string): void {
    this.o.outbox.add(
      mailOut,
      {
        id: row.id,
        purpose: row.purpose as MailPurpose,
        status,
        to: row.to,
        subject: row.subject,
        messageId: row.messageId,
        attempts,
        queuedAt: new Date(row.queuedAt).toISOString(),
        at: new Date(now).toISOString(),
        ...(error ? { error } : {}),
        ...(row.incident ? { incident: row.incident } : {}),
        ...(row.requestId ? { requestId: row.requestId } : {}),
      },
      { id: `out-${row.id}` },
    );
    void this.o.outbox.flush();
    for (const w of this.waiters.get(row.id) ?? []) w();
    this.waiters.delete(row.id);
  }
}
