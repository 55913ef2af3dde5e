import type { LibraryUsage, Reservation, SpaceLevel } from "@lag/contracts";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Every reservation, open or closed, as the contract describes it (closed ones are kept 30 days). */
export const reservations = sqliteTable(
  "reservations",
  {
    id: text("id").primaryKey(),
    host: text("host").notNull(),
    mount: text("mount").notNull(),
    state: text("state").$type<Reservation["state"]>().notNull(),
    requester: text("requester").notNull(),
    key: text("key"),
    expiresAt: integer("expires_at").notNull(),
    data: text("data", { mode: "json" }).$type<Reservation>().notNull(),
  },
  (t) => [index("reservations_volume").on(t.host, t.mount, t.state), index("reservations_key").on(t.requester, t.key)],
);

/** Each library's last walk, so a restart does not walk again what is fresh. */
export const libraries = sqliteTable("libraries", {
  name: text("name").primaryKey(),
  path: text("path").notNull(),
  data: text("data", { mode: "json" }).$type<LibraryUsage>().notNull(),
});

/** The level each volume was last warned at, so a restart does not warn again (and a change while down is told). */
export const levels = sqliteTable(
  "levels",
  {
    host: text("host").notNull(),
    mount: text("mount").notNull(),
    level: text("level").$type<SpaceLevel>().notNull(),
    since: integer("since").notNull(),
  },
  (t) => [primaryKey({ columns: [t.host, t.mount] })],
);
