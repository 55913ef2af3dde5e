import { existsSync } from "node:fs";
import { join } from "node:path";
import type Database from "better-sqlite3";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import type { Logger } from "@lag/log";
import { StoreError } from "./errors.ts";

const MIGRATIONS_TABLE = "__drizzle_migrations";

/**
 * Applies the migrations drizzle-kit generated into `folder` that the file has not seen yet.
 * drizzle runs them in one transaction: a failure leaves the file as it was.
 */
export function applyMigrations<S extends Record<string, unknown>>(
  db: BetterSQLite3Database<S>,
  sqlite: Database.Database,
  file: string,
  folder: string,
  logger?: Logger,
): void {
  if (!existsSync(join(folder, "meta", "_journal.json"))) {
    throw new StoreError(
      file,
      `no migrations in ${folder} (meta/_journal.json is missing): run \`pnpm exec drizzle-kit generate\` next to the package's drizzle.config.ts, or fix migrationsFolder`,
    );
  }
  const before = appliedCount(sqlite);
  // Table rebuilds in drizzle-kit's SQLite migrations drop the old table; with foreign keys on, that
  // drop would cascade to referencing rows, and PRAGMA foreign_keys cannot change inside drizzle's
  // transaction. So keys are off while migrating and checked afterwards (SQLite's own procedure).
  sqlite.pragma("foreign_keys = OFF");
  try {
    migrate(db, { migrationsFolder: folder });
  } catch (err) {
    throw new StoreError(
      file,
      `migrating ${file} with ${folder} failed, nothing was changed: ${migrationFailure(err)}. ` +
        "If the file was made by another version of LAG, move it aside (or restore a backup); if a migration is wrong, fix it and regenerate with drizzle-kit",
      { cause: err },
    );
  } finally {
    sqlite.pragma("foreign_keys = ON");
  }
  const violations = sqlite.pragma("foreign_key_check") as Array<{ table: string; parent: string }>;
  if (violations.length > 0) {
    const tables = [...new Set(violations.map((v) => `${v.table} → ${v.parent}`))].join(", ");
    logger?.warn(
      { file, violations: violations.length, tables },
      "rows reference missing parents after migrating; review the last migration",
    );
  }
  const applied = appliedCount(sqlite) - before;
  if (applied > 0) logger?.info({ file, migrations: applied, folder }, `applied ${applied} migration${applied === 1 ? "" : "s"}`);
}

/** drizzle wraps SQLite's reason in `cause` and puts the whole statement in its message: reason first, then the statement's first line. */
function migrationFailure(err: unknown): string {
  let root = err as Error;
  while (root.cause instanceof Error) root = root.cause;
  const query = /^Failed to run the query '([^\n]*)/.exec((err as Error).message)?.[1];
  return root === err || !query ? (err as Error).message : `${root.message} (in \`${query.trim()}\`)`;
}

function appliedCount(sqlite: Database.Database): number {
  const exists = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(MIGRATIONS_TABLE);
  if (!exists) return 0;
  return (sqlite.prepare(`SELECT count(*) AS n FROM ${MIGRATIONS_TABLE}`).get() as { n: number }).n;
}
