import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { DatabaseFigures } from "@lag/contracts";

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** Every LAG database: the `<process>.sqlite` files of the data directory. */
export function lagDatabases(dataDir: string): string[] {
  return readdirSync(dataDir)
    .filter((n) => n.endsWith(".sqlite"))
    .sort()
    .map((n) => join(dataDir, n));
}

/**
 * One database, opened beside the process that owns it (WAL allows that; a busy one is waited on
 * for a while): `PRAGMA optimize` (the statistics the planner uses), a checkpoint that empties the
 * WAL, and `VACUUM` when free pages pass `vacuumAtFreePct` of the file, then a checkpoint again so
 * the file really shrinks. Figures before and after.
 */
export function optimizeDatabase(file: string, vacuumAtFreePct: number): DatabaseFigures {
  const started = performance.now();
  const wal = `${file}-wal`;
  const out: DatabaseFigures = {
    file,
    bytesBefore: sizeOf(file),
    bytesAfter: 0,
    walBytesBefore: sizeOf(wal),
    walBytesAfter: 0,
    pages: 0,
    freePagesBefore: 0,
    freePagesAfter: 0,
    optimized: false,
    checkpointed: false,
    vacuumed: false,
    durationMs: 0,
  };
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true, timeout: 10_000 });
    const pages = () => db!.pragma("page_count", { simple: true }) as number;
    const free = () => db!.pragma("freelist_count", { simple: true }) as number;
    out.pages = pages();
    out.freePagesBefore = free();
    db.pragma("optimize");
    out.optimized = true;
    const ck = db.pragma("wal_checkpoint(TRUNCATE)") as { busy: number }[];
    out.checkpointed = (ck[0]?.busy ?? 0) === 0;
    if (out.pages > 0 && (out.freePagesBefore * 100) / out.pages >= vacuumAtFreePct) {
      db.exec("VACUUM");
      out.vacuumed = true;
      db.pragma("wal_checkpoint(TRUNCATE)");
    }
    out.freePagesAfter = free();
  } catch (err) {
    out.error = (err as Error).message;
  } finally {
    db?.close();
  }
  out.bytesAfter = sizeOf(file);
  out.walBytesAfter = sizeOf(wal);
  out.durationMs = Math.round(performance.now() - started);
  return out;
}
