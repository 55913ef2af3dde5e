import { existsSync } from "node:fs";
import { eq } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { Clock } from "@lag/async";
import { formatBytes, type LibraryUsage } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { StorageConfig } from "./config.ts";
import { libraries } from "./store/schema.ts";
import { holdingVolume, type VolumeBook } from "./volumes.ts";
import { walk } from "./walk.ts";

type Db = BetterSQLite3Database<Record<string, unknown>>;

/**
 * The library folders' usage: each walked in the background, one at a time, when its figures are
 * older than `libraryRefresh`; a query answers from the last walk (kept in SQLite), never by
 * walking.
 */
export class LibraryBook {
  private walking: Promise<void> | undefined;

  constructor(
    private readonly o: { db: Db; cfg: StorageConfig; host: string; volumes: VolumeBook; clock: Clock; log: Logger; signal: AbortSignal },
  ) {}

  usage(name: string): LibraryUsage {
    const lib = this.o.cfg.libraries.find((l) => l.name === name)!;
    const row = this.o.db.select({ data: libraries.data }).from(libraries).where(eq(libraries.name, name)).get();
    // A library moved to another path in the config is walked again.
    if (row && row.data.path === lib.path) return row.data;
    return { name, path: lib.path, state: existsSync(lib.path) ? "walking" : "missing" };
  }

  /** The libraries on a volume of this worker's host. */
  librariesOn(host: string, mount: string): LibraryUsage[] {
    if (host !== this.o.host) return [];
    const vols = this.o.volumes.all().filter((v) => v.host === host);
    return this.o.cfg.libraries.filter((l) => holdingVolume(vols, l.path)?.mount === mount).map((l) => this.usage(l.name));
  }

  /** Starts a walk of the stalest library that is due, unless one is under way. */
  tick(): Promise<void> | undefined {
    if (this.walking) return this.walking;
    const now = this.o.clock.now().getTime();
    const due = this.o.cfg.libraries
      .map((l) => ({ l, at: Date.parse(this.usage(l.name).measuredAt ?? "1970-01-01T00:00:00Z") }))
      .filter(({ at }) => now - at >= this.o.cfg.libraryRefresh)
      .sort((a, b) => a.at - b.at)[0];
    if (!due) return undefined;
    this.walking = this.walkOne(due.l).finally(() => {
      this.walking = undefined;
    });
    return this.walking;
  }

  /** Waits for the walk under way (at shutdown: it is stopped by the worker's signal). */
  async settle(): Promise<void> {
    await this.walking;
  }

  private async walkOne(lib: { name: string; path: string }): Promise<void> {
    const { log, clock } = this.o;
    const started = performance.now();
    let usage: LibraryUsage;
    if (!existsSync(lib.path)) {
      usage = { name: lib.name, path: lib.path, state: "missing", measuredAt: clock.now().toISOString() };
      log.warn({ library: lib.name, path: lib.path }, `library ${lib.name}: ${lib.path} is not there`);
    } else {
      try {
        const f = await walk(lib.path, { cpuShare: this.o.cfg.walkCpuShare, signal: this.o.signal });
        const walkMs = Math.round(performance.now() - started);
        usage = {
          name: lib.name,
          path: lib.path,
          bytes: f.bytes,
          apparentBytes: f.apparentBytes,
          files: f.files,
          measuredAt: clock.now().toISOString(),
          walkMs,
          state: "measured",
          ...(f.unreadable > 0 ? { unreadable: f.unreadable } : {}),
        };
        log.info(
          { library: lib.name, bytes: f.bytes, files: f.files, unreadable: f.unreadable, walkMs },
          `library ${lib.name}: ${formatBytes(f.bytes)} in ${f.files} files`,
        );
      } catch (err) {
        if (this.o.signal.aborted) return;
        usage = { name: lib.name, path: lib.path, state: "failed", error: (err as Error).message, measuredAt: clock.now().toISOString() };
        log.warn({ library: lib.name, err }, `library ${lib.name} could not be walked`);
      }
    }
    this.o.db
      .insert(libraries)
      .values({ name: lib.name, path: lib.path, data: usage })
      .onConflictDoUpdate({ target: libraries.name, set: { path: lib.path, data: usage } })
      .run();
  }
}
