import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** CEO_LAG's auditable inbox: every report and alert received, once (keyed by event id). */
export const inbox = sqliteTable(
  "inbox",
  {
    /** CloudEvents id: a redelivered event is recognised and stored once. */
    id: text("id").primaryKey(),
    type: text("type").notNull(),
    subject: text("subject").notNull(),
    source: text("source").notNull(),
    /** When the event happened (envelope time). */
    time: text("time").notNull(),
    receivedAt: text("received_at").notNull(),
    host: text("host"),
    severity: text("severity"),
    status: text("status"),
    summary: text("summary").notNull(),
    correlationId: text("correlation_id"),
    streamSeq: integer("stream_seq"),
    /** The event data as JSON, for audit. */
    data: text("data", { mode: "json" }).notNull(),
  },
  (t) => [index("inbox_time").on(t.time), index("inbox_type").on(t.type)],
);
