import { simpleParser, type ParsedMail } from "mailparser";
import type { Clock } from "@lag/async";
import type { MailIn } from "@lag/contracts";
import type { MailAcks } from "../acks.ts";
import type { MailApprovals } from "../approvals.ts";
import type { ImapConfig } from "../config.ts";
import type { MailQueue } from "../outgoing/queue.ts";
import { authenticate, type Verdict } from "./authentication.ts";
import type { Classifiers } from "./classify.ts";
import { mentionsVerdict } from "./replies.ts";

/** A mail as the watcher fetched it: the whole source, or only its headers when it is too large. */
export interface Fetched {
  mailbox: string;
  uidValidity: string;
  uid: number;
  size: number;
  source: Buffer;
  headersOnly: boolean;
  /** Its Message-ID, or what stands for it (see messageIdOf). */
  messageId: string;
}

/** What the reader makes of it: the event to publish. */
export type Read = MailIn;

/**
 * Reads one mail into its event: an approval reply (decided through CEO_LAG or refused, and why),
 * an acknowledgement of an alert (through it-incidents), what a classifier makes of a trusted and authenticated sender's mail, or unclassified — never an
 * exception for what a mail contains (only for CEO_LAG or it-incidents not answering, so the mail is
 * read again).
 */
export class MailReader {
  constructor(
    private readonly o: {
      imap: ImapConfig;
      classifiers: Classifiers;
      approvals: MailApprovals;
      acks: MailAcks;
      queue: MailQueue;
      clock: Clock;
      self: string;
    },
  ) {}

  async read(f: Fetched): Promise<Read> {
    let mail: ParsedMail;
    try {
      mail = await simpleParser(f.source, { skipImageLinks: true, skipTextToHtml: true, maxHtmlLengthToParse: 2 * 1024 ** 2 });
    } catch (err) {
      return this.unclassified(f, undefined, `unreadable: ${(err as Error).message}`);
    }
    const from = (mail.from?.value[0]?.address ?? "").toLowerCase();
    const auth = this.authenticated(mail, from);
    if (f.headersOnly)
      return this.unclassified(f, mail, `too large: ${f.size} bytes (it.mail.imap.maxBytes ${this.o.imap.maxBytes})`, auth);
    // Our own mails come back when the watched mailbox is also a recipient: recorded for what they are.
    if (from === this.o.self.toLowerCase()) return this.unclassified(f, mail, "a mail LAG sent (it.mail.from)", auth);
    const base = this.base(f, mail, from, auth);
    const text = mail.text ?? "";
    const refs = [mail.inReplyTo ?? "", ...[mail.references ?? []].flat()].join(" ");
    // Whether the sender is to be believed is decided here, once: the replies and the classifiers ask.
    const unauthenticated = this.o.imap.requireAuthentication && !auth.ok ? auth.why : undefined;
    const answered = this.o.queue.answered(refs);
    if (answered?.purpose === "approval" || mentionsVerdict(text)) {
      const r = await this.o.approvals.reply({ from, text, messageId: base.messageId, ...(unauthenticated ? { unauthenticated } : {}) });
      return { kind: "approval-reply", ...base, ...r };
    }
    if (answered?.purpose === "alert" && answered.incident) {
      const r = await this.o.acks.reply({
        from,
        text,
        incident: answered.incident,
        messageId: base.messageId,
        ...(unauthenticated ? { unauthenticated } : {}),
      });
      return { kind: "ack-reply", ...base, ...r };
    }
    if (!this.o.classifiers.trusts(from)) return this.unclassified(f, mail, `sender ${from || "(none)"} is not trusted`, auth);
    if (unauthenticated) return this.unclassified(f, mail, `not authenticated: ${unauthenticated}`, auth);
    const c = this.o.classifiers.classify({ from, subject: mail.subject ?? "", text, ...(mail.date ? { date: mail.date } : {}) });
    if (c.kind === "unclassified") return this.unclassified(f, mail, c.reason, auth, c.classifier);
    return { ...base, ...c };
  }

  private authenticated(mail: ParsedMail, from: string): Verdict {
    const id = this.o.imap.authservId;
    if (!id) return { ok: false, why: "no it.mail.imap.authservId to read Authentication-Results by" };
    const values = mail.headerLines.filter((h) => h.key === "authentication-results").map((h) => h.line.replace(/^[^:]*:\s*/, ""));
    return authenticate(values, from, id);
  }

  private base(f: Fetched, mail: ParsedMail | undefined, from: string, auth: Verdict) {
    const date = mail?.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : undefined;
    return {
      messageId: f.messageId,
      mailbox: f.mailbox,
      uid: f.uid,
      from,
      subject: (mail?.subject ?? "").slice(0, 500),
      ...(date ? { date } : {}),
      receivedAt: this.o.clock.now().toISOString(),
      authenticated: auth.ok,
    };
  }

  private unclassified(f: Fetched, mail: ParsedMail | undefined, reason: string, auth?: Verdict, classifier?: string): Read {
    const from = (mail?.from?.value[0]?.address ?? "").toLowerCase();
    return {
      kind: "unclassified",
      ...this.base(f, mail, from, auth ?? { ok: false, why: "" }),
      ...(classifier ? { classifier } : {}),
      reason,
      sizeBytes: f.size,
    };
  }
}
