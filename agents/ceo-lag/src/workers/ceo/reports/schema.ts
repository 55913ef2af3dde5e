import { sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The daily reports CEO_LAG keeps, one per day (a second one for the same day replaces the first). */
export const dailyReports = sqliteTable("daily_reports", {
  day: text("day").primaryKey(),
  receivedAt: text("received_at").notNull(),
  report: text("report", { mode: "json" }).notNull(),
});
