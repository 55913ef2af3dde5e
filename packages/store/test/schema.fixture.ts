import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The smallest real schema: what the store tests open, migrate and query. */
export const notes = sqliteTable("notes", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  body: text("body").notNull(),
  createdAt: integer("created_at", { mode: "timestamp_ms" }).notNull(),
});
