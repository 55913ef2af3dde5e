import type { MediaImport, SpaceLevel } from "@lag/contracts";
import { index, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** MEDIA_LAG's imports, as the contract describes them: kept across restarts with their reservation and backup run. */
export const imports = sqliteTable(
  "imports",
  {
    id: text("id").primaryKey(),
    state: text("state").$type<MediaImport["state"]>().notNull(),
    data: text("data", { mode: "json" }).$type<MediaImport>().notNull(),
  },
  (t) => [index("imports_state").on(t.state)],
);

/** The last low-space level IT_LAG told of each volume: imports there wait while it is at or past `pauseAt`. */
export const volumeLevels = sqliteTable(
  "volume_levels",
  {
    host: text("host").notNull(),
    mount: text("mount").notNull(),
    level: text("level").$type<SpaceLevel>().notNull(),
  },
  (t) => [primaryKey({ columns: [t.host, t.mount] })],
);
