import { resolve } from "node:path";
import type Database from "better-sqlite3";
import { drizzle, type BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { Logger } from "@lag/log";
import { applyMigrations } from "./migrate.ts";
import { openSqliteFile } from "./sqlite-file.ts";

export interface StoreOptions<TSchema extends Record<string, unknown>> {
  /** The SQLite file; its folder is created. */
  file: string;
  /** The drizzle tables (`import * as schema from "./schema.ts"`). */
  schema: TSchema;
  /** The folder drizzle-kit generates into (the `out` of the package's drizzle.config.ts). */
  migrationsFolder: string;
  logger?: Logger;
}

/** One process's SQLite file, migrated to its schema. */
export interface Store<TSchema extends Record<string, unknown>> {
  readonly db: BetterSQLite3Database<TSchema>;
  readonly sqlite: Database.Database;
  /** Absolute path of the file. */
  readonly file: string;
  /** Lets SQLite refresh its planner statistics, then closes. Safe to call twice. */
  close(): void;
}

/** Opens (creating it if needed) and migrates a SQLite file; throws StoreError saying what to do. */
export function openStore<TSchema extends Record<string, unknown>>(opts: StoreOptions<TSchema>): Store<TSchema> {
  const file = resolve(opts.file);
  const sqlite = openSqliteFile(file, opts.logger);
  const db = drizzle({ client: sqlite, schema: opts.schema });
  try {
    applyMigrations(db, sqlite, file, resolve(opts.migrationsFolder), opts.logger);
  } catch (err) {
    sqlite.close();
    throw err;
  }
  let closed = false;
  return {
    db,
    sqlite,
    file,
    close() {
      if (closed) return;
      closed = true;
      try {
        // Recommended by SQLite before closing a long-lived connection: cheap, and keeps queries planned well.
        sqlite.pragma("optimize");
      } catch (err) {
        opts.logger?.warn({ err, file }, "PRAGMA optimize failed; closing anyway");
      }
      sqlite.close();
    },
  };
}
