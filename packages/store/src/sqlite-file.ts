import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import type { Logger } from "@lag/log";
import { StoreError } from "./errors.ts";

/**
 * Opens a SQLite file tuned for one writer process and readers beside it: WAL (readers never wait
 * for the writer), synchronous=NORMAL (durable at each checkpoint, safe against corruption in WAL
 * mode), a 5 s busy timeout (a backup or the CLI may hold a lock briefly).
 */
export function openSqliteFile(file: string, logger?: Logger): Database.Database {
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (err) {
    throw new StoreError(
      file,
      `cannot create the folder of ${file} (${codeOf(err)}): check dataDir and that the user running LAG may write there`,
      { cause: err },
    );
  }
  let sqlite: Database.Database;
  try {
    sqlite = new Database(file);
  } catch (err) {
    throw new StoreError(file, `cannot open ${file} (${codeOf(err)}): check that it is a file the user running LAG may read and write`, {
      cause: err,
    });
  }
  try {
    // The first statement is where SQLite reads the header: a foreign file fails here, not in the constructor.
    const mode = sqlite.pragma("journal_mode = WAL", { simple: true });
    if (mode !== "wal")
      logger?.warn({ file, mode }, "SQLite could not switch to WAL mode (network file system?); readers will block writers");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("busy_timeout = 5000");
    sqlite.pragma("foreign_keys = ON");
    return sqlite;
  } catch (err) {
    sqlite.close();
    throw notADatabase(file, err);
  }
}

function notADatabase(file: string, err: unknown): StoreError {
  const code = codeOf(err);
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
    return new StoreError(
      file,
      `${file} is not a usable SQLite database (${code}): move it aside (an empty database with the current schema is created at the next start) or restore it from a backup`,
      { cause: err },
    );
  }
  return new StoreError(file, `cannot prepare ${file} (${code}: ${(err as Error).message}); is another program holding it?`, {
    cause: err,
  });
}

export function codeOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  return typeof e.code === "string" ? e.code : String(e.message ?? err);
}
