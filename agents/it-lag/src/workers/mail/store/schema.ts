import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The outgoing queue and its history: a mail is queued once (its id), retried until taken or refused. */
export const outgoing = sqliteTable(
  "outgoing",
  {
    id: text("id").primaryKey(),
    purpose: text("purpose").notNull(),
    to: text("to", { mode: "json" }).$type<string[]>().notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    html: text("html"),
    messageId: text("message_id").notNull(),
    /** queued → sent | failed */
    state: text("state").notNull(),
    attempts: integer("attempts").notNull().default(0),
    queuedAt: integer("queued_at").notNull(),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    sentAt: integer("sent_at"),
    lastError: text("last_error"),
    incident: text("incident"),
    requestId: text("request_id"),
  },
  (t) => [index("outgoing_due").on(t.state, t.nextAttemptAt), index("outgoing_incident").on(t.incident, t.queuedAt)],
);

/** Every notification received, and whether it was mailed or left for the digest (and why). */
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    incident: text("incident").notNull(),
    kind: text("kind").notNull(),
    severity: text("severity").notNull(),
    at: integer("at").notNull(),
    /** mailed | digest | throttled | no-recipients */
    outcome: text("outcome").notNull(),
  },
  (t) => [index("notifications_incident").on(t.incident, t.at), index("notifications_at").on(t.at)],
);

/** The daily reports received: the digest's figures and the storage trend. */
export const reports = sqliteTable("reports", {
  day: text("day").primaryKey(),
  report: text("report", { mode: "json" }).notNull(),
  receivedAt: integer("received_at").notNull(),
});

/** Where reading each mailbox stands: the UIDVALIDITY it was read under and the last UID done. */
export const cursors = sqliteTable("cursors", {
  mailbox: text("mailbox").primaryKey(),
  uidValidity: text("uid_validity").notNull(),
  lastUid: integer("last_uid").notNull(),
});

/** Every mail read, once: by mailbox + UIDVALIDITY + UID, and by Message-ID (a mail moved or a mailbox rebuilt). */
export const processed = sqliteTable(
  "processed",
  {
    mailbox: text("mailbox").notNull(),
    uidValidity: text("uid_validity").notNull(),
    uid: integer("uid").notNull(),
    messageId: text("message_id").notNull(),
    kind: text("kind").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.mailbox, t.uidValidity, t.uid] }), index("processed_message").on(t.messageId)],
);

/**
 * One-time codes of approval mails, one per request and person: only their SHA-256 is kept. A code
 * is spent when used, and closed when the request is decided another way.
 */
export const approvalCodes = sqliteTable(
  "approval_codes",
  {
    codeHash: text("code_hash").primaryKey(),
    requestId: text("request_id").notNull(),
    address: text("address").notNull(),
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at").notNull(),
    usedAt: integer("used_at"),
    /** Why it no longer counts: `used by …`, `decided: approved by ana (cli)`. */
    closed: text("closed"),
  },
  (t) => [index("approval_codes_request").on(t.requestId)],
);
