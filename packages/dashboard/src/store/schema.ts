import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Open sessions: the cookie's token is kept only as its SHA-256, so a copy of this file logs nobody in. */
export const sessions = sqliteTable(
  "sessions",
  {
    tokenHash: text("token_hash").primaryKey(),
    /** A short public id to name the session in lists and revoke it. */
    id: text("id").notNull().unique(),
    user: text("user").notNull(),
    role: text("role").notNull(),
    /** The token every state-changing request must carry (header X-CSRF-Token, or the form field `csrf`). */
    csrf: text("csrf").notNull(),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
    address: text("address").notNull(),
    userAgent: text("user_agent").notNull(),
  },
  (t) => [index("sessions_user").on(t.user)],
);

/** Every action taken on the page, with who took it and what came of it. */
export const audit = sqliteTable(
  "audit",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    user: text("user").notNull(),
    action: text("action").notNull(),
    target: text("target").notNull(),
    /** ok | refused | failed */
    outcome: text("outcome").notNull(),
    detail: text("detail").notNull(),
    address: text("address").notNull(),
  },
  (t) => [index("audit_at").on(t.at)],
);

/** Users made by the page itself: the first admin when the configuration lists none. */
export const localUsers = sqliteTable("local_users", {
  name: text("name").primaryKey(),
  role: text("role").notNull(),
  password: text("password").notNull(),
  createdAt: integer("created_at").notNull(),
});

/** The events feed: one line for each thing that happened (alerts, incident changes, approvals, backups, renewals), newest kept. */
export const feed = sqliteTable(
  "feed",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    /** alert | incident | approval | backup | subscription */
    kind: text("kind").notNull(),
    severity: text("severity"),
    text: text("text").notNull(),
    /** A page of this site where it can be seen. */
    link: text("link"),
    subject: text("subject").notNull(),
  },
  (t) => [index("feed_kind").on(t.kind, t.seq)],
);
