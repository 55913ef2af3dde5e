import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Every greeting sent, in the worker's own SQLite file (example-hello.sqlite). */
export const greetings = sqliteTable("greetings", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  text: text("text").notNull(),
  time: text("time").notNull(),
});
