import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Every approval request CEO_LAG received, once (keyed by the requester's id): the record as the
 * contract has it, and what queries and the budget need as columns.
 */
export const approvals = sqliteTable(
  "approvals",
  {
    id: text("id").primaryKey(),
    requester: text("requester").notNull(),
    state: text("state").notNull(),
    receivedAt: integer("received_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    decidedAt: integer("decided_at"),
    /** In hundredths of the currency: sums stay exact. */
    costCents: integer("cost_cents"),
    costCurrency: text("cost_currency"),
    /** The ApprovalRecord. */
    record: text("record", { mode: "json" }).notNull(),
    /** The decision is in the outbox (it reaches the requester even after a crash in between). */
    published: integer("published", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [index("approvals_state").on(t.state, t.expiresAt), index("approvals_received").on(t.receivedAt)],
);
