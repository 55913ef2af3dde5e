import type { Alert, Subscription, SubscriptionInput } from "@lag/contracts";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The register: one row a subscription, as the contract describes it; `failures` counts the source's failed reads in a row. */
export const subscriptions = sqliteTable("subscriptions", {
  id: text("id").primaryKey(),
  data: text("data", { mode: "json" }).$type<Subscription>().notNull(),
  failures: integer("failures").notNull().default(0),
  /** When the source is read next (ms). */
  nextCheck: integer("next_check").notNull().default(0),
  /** The config file's item as last applied: a later change there is applied, field by field, over what people edited. */
  seed: text("seed", { mode: "json" }).$type<SubscriptionInput>(),
});

/** The audit trail: every change and who made it, also of removed subscriptions. */
export const history = sqliteTable(
  "history",
  {
    seq: integer("seq").primaryKey({ autoIncrement: true }),
    subscription: text("subscription").notNull(),
    change: text("change").notNull(),
    by: text("by", { mode: "json" }).$type<{ kind: "worker" | "policy" | "person"; name: string }>().notNull(),
    note: text("note").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("history_subscription").on(t.subscription, t.at)],
);

/** Lead-time warnings given: one per subscription, date, date value and lead time, so each is given once across restarts. */
export const warnings = sqliteTable(
  "warnings",
  {
    subscription: text("subscription").notNull(),
    /** expiry | notice */
    date: text("date").notNull(),
    /** The date warned of (ISO): a renewal moves it, and the lead times start again. */
    value: text("value").notNull(),
    leadDays: integer("lead_days").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.subscription, t.date, t.value, t.leadDays] })],
);

/** The alerts firing now, so a restart neither repeats nor forgets to resolve one. */
export const firing = sqliteTable("firing", {
  fingerprint: text("fingerprint").primaryKey(),
  alert: text("alert", { mode: "json" }).$type<Alert>().notNull(),
});

/** The RDAP bootstrap fetched from IANA (the shipped copy is used until one is). */
export const bootstrap = sqliteTable("bootstrap", {
  name: text("name").primaryKey(),
  url: text("url").notNull(),
  body: text("body").notNull(),
  fetchedAt: integer("fetched_at").notNull(),
});
