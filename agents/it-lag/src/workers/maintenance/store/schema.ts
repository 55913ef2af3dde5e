import type { Alert, MaintenanceResult } from "@lag/contracts";
import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Each task's last result, for `lag maintenance` and the daily report. */
export const results = sqliteTable("results", {
  task: text("task").primaryKey(),
  data: text("data", { mode: "json" }).$type<MaintenanceResult>().notNull(),
});

/** Per running container: what the registry has that it does not run, since when, and when that was last told. */
export const pendingImages = sqliteTable("pending_images", {
  container: text("container").primaryKey(),
  /** What is pending: the registry's digest for the tag, or the newest semver tag. */
  what: text("what").notNull(),
  since: integer("since").notNull(),
  reportedAt: integer("reported_at").notNull(),
});

/** Docker log truncations asked of CEO_LAG, carried out once approved. */
export const truncations = sqliteTable("truncations", {
  requestId: text("request_id").primaryKey(),
  container: text("container").notNull(),
  logPath: text("log_path").notNull(),
  bytes: integer("bytes").notNull(),
  state: text("state").$type<"requested" | "truncated" | "denied" | "failed">().notNull(),
  at: integer("at").notNull(),
  note: text("note"),
});

/** The alerts firing now, so a restart neither repeats nor forgets to resolve one. */
export const firing = sqliteTable("firing", {
  fingerprint: text("fingerprint").primaryKey(),
  alert: text("alert", { mode: "json" }).$type<Alert>().notNull(),
});
