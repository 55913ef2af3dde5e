import { z } from "zod";
import { byteSize, cronSchedule, duration, SecretRef } from "@lag/config";
import { HostName, Severity, Slug } from "@lag/contracts";
import { ClassifierConfig, DEFAULT_CLASSIFIERS } from "./inbound/classifier-config.ts";

const Security = z.enum(["tls", "starttls", "none"]);

/** The door mail leaves by: Poste.io's submission port (587, STARTTLS) with its own account. */
export const SmtpConfig = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(587),
  /** tls: TLS from the first byte (465); starttls: upgrade required (587); none: loopback only. */
  security: Security.default("starttls"),
  user: z.string().min(1).optional(),
  password: SecretRef.optional(),
  /** Accept a self-signed certificate (Poste.io's own before Let's Encrypt). */
  allowSelfSigned: z.boolean().default(false),
  /** Connecting, the greeting, and any one answer, each at most this long. */
  timeout: duration.default(30_000),
});
export type SmtpConfig = z.infer<typeof SmtpConfig>;

/** The mailbox read for notification mails and approval replies. */
export const ImapConfig = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(993),
  security: Security.default("tls"),
  user: z.string().min(1),
  password: SecretRef,
  allowSelfSigned: z.boolean().default(false),
  /** Watched in turn; the first one with IDLE (new mail is read at once), the others every `pollEvery`. */
  mailboxes: z.array(z.string().min(1)).min(1).default(["INBOX"]),
  /** What becomes of a mail once read: flagged (`\Seen` and `$LagProcessed`) or moved to `moveTo`. */
  after: z.enum(["flag", "move"]).default("flag"),
  moveTo: z.string().min(1).default("LAG/Processed"),
  /** A mail larger than this is recorded as unclassified from its headers alone. */
  maxBytes: byteSize.default(5 * 1024 ** 2),
  pollEvery: duration.default(60_000),
  /** IDLE is ended and started again this often (servers drop an IDLE after 30 min). */
  idleRestart: duration.default(5 * 60_000),
  /** After a lost connection, wait this long, doubling up to `reconnectMax`. */
  reconnectMin: duration.default(1_000),
  reconnectMax: duration.default(5 * 60_000),
  timeout: duration.default(30_000),
  /**
   * The receiving server's name in its `Authentication-Results` headers (Poste.io: its hostname).
   * Only that server's verdict counts; a header claiming another is the sender's word.
   */
  authservId: z.string().min(1).optional(),
  /** Trust a mail (an approval reply, a notice) only when that server saw DKIM or DMARC pass for the sender's domain. */
  requireAuthentication: z.boolean().default(true),
});
export type ImapConfig = z.infer<typeof ImapConfig>;

const Address = z.email();

export const MailConfig = z
  .strictObject({
    /** This machine's name (Message-IDs, the digest's title). Default: `it.monitor.host`. */
    host: HostName.optional(),
    /** `LAG <lag@lagrieta.es>`: the sender of every mail. */
    from: z.string().min(3).default("LAG <lag@localhost>"),
    /** Who gets alerts, digests and approval mails. */
    to: z.array(Address).default([]),
    /** Without it nothing is sent: mails wait in the queue until it is configured. */
    smtp: SmtpConfig.optional(),
    /** Without it no mailbox is read. */
    imap: ImapConfig.optional(),
    alerts: z
      .strictObject({
        /** Notifications of these severities are mailed at once; the others wait for the digest. */
        severities: z.array(Severity).default(["critical"]),
        /** Incidents with an alert of one of these rules are mailed at once too, whatever their severity. */
        rules: z.array(Slug).default(["backup-failed"]),
        /** At most one mail per incident this often (its opening, reminders, escalation); the all-clear is always sent. */
        repeatInterval: duration.default(4 * 3_600_000),
        /** Mail the all-clear of an incident that was mailed. */
        resolved: z.boolean().default(true),
      })
      .prefault({}),
    digest: z
      .strictObject({
        daily: cronSchedule("30 7 * * *"),
        weekly: cronSchedule("0 8 * * 1"),
        /** A volume fuller than this is worth a line even when nothing else is. */
        storageWarnPct: z.number().min(1).max(100).default(85),
        /** Where a pending approval can be opened (the status page), `{id}` its request id. */
        approvalLink: z.string().includes("{id}").optional(),
      })
      .prefault({}),
    approvals: z
      .strictObject({
        /** Mail requests that wait for a person, with a one-time reply code. */
        enabled: z.boolean().default(true),
        /** The people asked, and the only ones whose replies count. Default: `to`. */
        to: z.array(Address).optional(),
      })
      .prefault({}),
    /** Added before the defaults (NoIP, GoDaddy, a NAS's backup reports); the first that matches wins. */
    classifiers: z.array(ClassifierConfig).default([]),
    defaultClassifiers: z.boolean().default(true),
    /** Sending: the first retry after this, doubling up to `retryMax`; a mail is retried until the server takes or refuses it. */
    retryMin: duration.default(30_000),
    retryMax: duration.default(30 * 60_000),
    /** Sent mails are kept in the queue's history this long. */
    keepSent: duration.default(30 * 86_400_000),
  })
  .superRefine((c, ctx) => {
    if (c.smtp?.user && !c.smtp.password)
      ctx.addIssue({ code: "custom", message: "an SMTP user needs a password (file or env)", path: ["smtp", "password"] });
    if (c.imap?.requireAuthentication && !c.imap.authservId)
      ctx.addIssue({
        code: "custom",
        message: "name the receiving server (its Authentication-Results authserv-id), or set requireAuthentication: false",
        path: ["imap", "authservId"],
      });
    const names = new Set<string>();
    c.classifiers.forEach((k, i) => {
      if (names.has(k.name))
        ctx.addIssue({ code: "custom", message: `classifier ${k.name} is named twice`, path: ["classifiers", i, "name"] });
      names.add(k.name);
    });
  })
  .transform((c) => ({
    ...c,
    classifiers: [...c.classifiers, ...(c.defaultClassifiers ? DEFAULT_CLASSIFIERS : [])],
    approvals: { ...c.approvals, to: c.approvals.to ?? c.to },
  }));
export type MailConfig = z.infer<typeof MailConfig>;
