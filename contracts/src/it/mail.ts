import { z } from "zod";
import { approvalAsked, approvalDecided } from "../ceo/approvals.ts";
import { defineConsumer, defineEvent, defineService, endpoint } from "../descriptors.ts";
import { approvalsStream, incidentsStream, mailStream } from "../streams.ts";
import { IsoTime } from "./common.ts";
import { dailyReport, notification } from "./incidents.ts";

/**
 * IT_LAG's mail: what it sends (alerts at once, a daily digest, a weekly summary, approvals that ask
 * a person, test mails), each through a durable queue; and what it reads (notification mails from
 * NoIP, registrars, the NAS, and replies to approval mails), each mail once, turned into a typed event.
 */

export const MailPurpose = z.enum(["alert", "digest", "weekly", "approval", "test"]);
export type MailPurpose = z.infer<typeof MailPurpose>;

/** One mail of the outgoing queue, as `lag mail queue` shows it. */
export const OutgoingMail = z.object({
  /** Chosen from what it is about (`alert-<notification>`, `digest-2026-12-01` …): the same mail is queued once. */
  id: z.string().min(1),
  purpose: MailPurpose,
  to: z.array(z.string()),
  subject: z.string(),
  state: z.enum(["queued", "sent", "failed"]),
  attempts: z.number().int().nonnegative(),
  queuedAt: IsoTime,
  nextAttemptAt: IsoTime.optional(),
  sentAt: IsoTime.optional(),
  lastError: z.string().optional(),
  /** The Message-ID it is sent with, the same on every attempt. */
  messageId: z.string(),
});
export type OutgoingMail = z.infer<typeof OutgoingMail>;

export const MailOut = z.object({
  id: z.string().min(1),
  purpose: MailPurpose,
  /** sent: the SMTP server accepted it; failed: it refused it for good (a 5xx answer), no retry. */
  status: z.enum(["sent", "failed"]),
  to: z.array(z.string()),
  subject: z.string(),
  messageId: z.string(),
  attempts: z.number().int().positive(),
  queuedAt: IsoTime,
  at: IsoTime,
  error: z.string().optional(),
  /** What it was about. */
  incident: z.string().optional(),
  requestId: z.string().optional(),
});
export type MailOut = z.infer<typeof MailOut>;

export const mailOut = defineEvent({
  type: "es.lagrieta.it.mail.out.v1",
  subject: "lag.it.mail.out.{status}.{purpose}",
  schema: MailOut,
  publisher: "it-mail",
  audience: "all",
  stream: mailStream,
  tokens: (d) => ({ status: d.status, purpose: d.purpose }),
  description:
    "A mail left for good: accepted by the SMTP server after N attempts, or refused by it (5xx). A mail still being retried is in the queue (`lag mail queue`).",
  example: {
    id: "alert-ntf-6b2c0e4a",
    purpose: "alert",
    status: "sent",
    to: ["ops@lagrieta.es"],
    subject: "[critical] kronos: disk /mnt/storage is 97% full",
    messageId: "<alert-ntf-6b2c0e4a@lag.kronos>",
    attempts: 1,
    queuedAt: "2026-11-23T06:12:30.000Z",
    at: "2026-11-23T06:12:30.400Z",
    incident: "inc-20261123-061200-storage",
  },
});

const received = {
  /** The mail's Message-ID, or one made of its mailbox, UIDVALIDITY and UID when it has none. */
  messageId: z.string().min(1),
  mailbox: z.string(),
  uid: z.number().int().positive(),
  /** The sender's address, lower-case; empty when the mail names none. */
  from: z.string(),
  subject: z.string(),
  date: IsoTime.optional(),
  receivedAt: IsoTime,
  /** The receiving server's Authentication-Results show DKIM or DMARC pass for the sender's domain. */
  authenticated: z.boolean(),
  /** The classifier that matched (`noip`, `godaddy` …). */
  classifier: z.string().optional(),
};

export const MailIn = z.discriminatedUnion("kind", [
  /** NoIP's monthly "confirm your hostname" mail: confirm before the deadline or the hostname is deleted. */
  z.object({ kind: z.literal("noip-confirm"), ...received, hostname: z.string().min(1), deadline: IsoTime, link: z.url() }),
  /** A registrar's renewal or expiry notice. */
  z.object({ kind: z.literal("domain-expiry"), ...received, domain: z.string().min(1), expiresAt: IsoTime }),
  /** A backup job's report mailed by another system (the NAS's Hyper Backup …). */
  z.object({
    kind: z.literal("backup-report"),
    ...received,
    job: z.string().min(1),
    status: z.enum(["success", "warning", "failure"]),
  }),
  /** A reply to an approval mail, and what came of it: decided through CEO_LAG, or nothing and why. */
  z.object({
    kind: z.literal("approval-reply"),
    ...received,
    requestId: z.string().optional(),
    decision: z.enum(["approve", "deny"]).optional(),
    outcome: z.enum(["decided", "already-decided", "rejected"]),
    reason: z.string(),
  }),
  /** A reply `ACK` to an alert mail, and what came of it: the incident acknowledged, or nothing and why. */
  z.object({
    kind: z.literal("ack-reply"),
    ...received,
    incident: z.string().optional(),
    outcome: z.enum(["acknowledged", "already-acknowledged", "rejected"]),
    reason: z.string(),
  }),
  /** Recorded, never acted on: an untrusted or unauthenticated sender, no classifier matched, too large, unreadable. */
  z.object({ kind: z.literal("unclassified"), ...received, reason: z.string(), sizeBytes: z.number().int().nonnegative() }),
]);
export type MailIn = z.infer<typeof MailIn>;
export type MailInKind = MailIn["kind"];

export const mailIn = defineEvent({
  type: "es.lagrieta.it.mail.in.v1",
  subject: "lag.it.mail.in.{kind}",
  schema: MailIn,
  publisher: "it-mail",
  audience: "all",
  stream: mailStream,
  tokens: (d) => ({ kind: d.kind }),
  description:
    "A mail read from the watched mailbox, once, and what it was: a NoIP confirmation, a domain expiry notice, a backup report, an approval reply, an acknowledgement of an alert, or unclassified (and why).",
  example: {
    kind: "noip-confirm",
    messageId: "<20261123061200.abc@noip.com>",
    mailbox: "INBOX",
    uid: 412,
    from: "no-reply@noip.com",
    subject: "ACTION REQUIRED: lagrieta.ddns.net is Expiring Soon",
    date: "2026-11-23T06:12:00.000Z",
    receivedAt: "2026-11-23T06:12:02.000Z",
    authenticated: true,
    classifier: "noip",
    hostname: "lagrieta.ddns.net",
    deadline: "2026-11-30T06:12:00.000Z",
    link: "https://www.noip.com/confirm-host?n=abc123",
  },
});

const outgoingExample: OutgoingMail = {
  id: "digest-2026-11-23",
  purpose: "digest",
  to: ["ops@lagrieta.es"],
  subject: "Kronos, 23 Nov: 1 incident open, backups on time",
  state: "queued",
  attempts: 2,
  queuedAt: "2026-11-23T06:30:00.000Z",
  nextAttemptAt: "2026-11-23T06:31:00.000Z",
  lastError: "connect ECONNREFUSED 127.0.0.1:587",
  messageId: "<digest-2026-11-23@lag.kronos>",
};

export const mailService = defineService({
  name: "it-mail",
  version: "0.1.0",
  description: "IT_LAG's mail: send a test mail, preview or send the digest, look at the outgoing queue",
  server: "it-mail",
  callers: "all",
  endpoints: {
    test: endpoint({
      subject: "lag.it.mail.test",
      request: z.strictObject({ to: z.array(z.email()).min(1).optional() }),
      reply: z.object({
        id: z.string(),
        to: z.array(z.string()),
        status: z.enum(["sent", "queued", "failed"]),
        messageId: z.string(),
        error: z.string().optional(),
      }),
      description:
        "Queues a test mail (to the configured recipients, or these) and waits a while for the SMTP server to take it: sent, still queued (with the last error), or refused.",
      timeoutMs: 30_000,
      example: {
        request: {},
        reply: { id: "test-20261123-061200", to: ["ops@lagrieta.es"], status: "sent", messageId: "<test-20261123-061200@lag.kronos>" },
      },
    }),
    digest: endpoint({
      subject: "lag.it.mail.digest",
      request: z.strictObject({ kind: z.enum(["daily", "weekly"]).default("daily"), send: z.boolean().default(false) }),
      reply: z.object({
        kind: z.enum(["daily", "weekly"]),
        subject: z.string(),
        text: z.string(),
        html: z.string(),
        /** Nothing new: the digest is one line. */
        quiet: z.boolean(),
        /** With `send`: the queued mail's id (absent when nobody is to get it, or it was queued already). */
        queued: z.string().optional(),
      }),
      description: "Today's digest (or this week's summary) as it would be mailed, HTML and text; with `send`, queued for sending now.",
      timeoutMs: 30_000,
      example: {
        request: { kind: "daily" },
        reply: {
          kind: "daily",
          subject: "Kronos, 23 Nov: nothing new",
          text: "Kronos, 23 Nov: nothing new. 1 host healthy, 2 backups on time, no incidents, nothing waiting for you.",
          html: "<!doctype html>…",
          quiet: true,
        },
      },
    }),
    queue: endpoint({
      subject: "lag.it.mail.queue",
      request: z.strictObject({
        state: z.enum(["queued", "sent", "failed"]).optional(),
        limit: z.number().int().positive().max(1000).default(50),
      }),
      reply: z.object({ mails: z.array(OutgoingMail), queued: z.number().int().nonnegative() }),
      description: "The outgoing queue, newest first: what waits (and why), what was sent, what was refused.",
      example: { request: { state: "queued" }, reply: { mails: [outgoingExample], queued: 1 } },
    }),
  },
});

/** The notifications to mail and the daily reports the digest is made of. */
export const mailIncidentsInbox = defineConsumer({
  durable: "it-mail-incidents",
  stream: incidentsStream,
  principal: "it-mail",
  events: [notification, dailyReport],
  description: "notifications (critical ones mailed at once) and the daily reports the digest is made of",
  maxDeliver: 5,
  ackWait: 30_000,
});

/** Requests that wait for a person (mailed with a reply code) and their decisions (the code is spent). */
export const mailApprovalsInbox = defineConsumer({
  durable: "it-mail-approvals",
  stream: approvalsStream,
  principal: "it-mail",
  events: [approvalAsked, approvalDecided],
  description: "approvals that ask a person, mailed with a one-time reply code, and their decisions",
  maxDeliver: 5,
  ackWait: 30_000,
});
