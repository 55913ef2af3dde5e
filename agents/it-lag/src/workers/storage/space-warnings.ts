import { and, eq } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { Clock } from "@lag/async";
import { storageSpace, type SpaceLevel } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import type { StorageConfig } from "./config.ts";
import type { ReservationBook } from "./reservations.ts";
import { levels } from "./store/schema.ts";
import type { MeasuredVolume } from "./volumes.ts";

type Db = BetterSQLite3Database<Record<string, unknown>>;

/** A volume's thresholds: its own, else the section's. */
export function thresholdsOf(cfg: StorageConfig, ownHost: string, v: { host: string; mount: string }): { low: number; critical: number } {
  const s = cfg.volumes.find((x) => x.mount === v.mount && (x.host ?? ownHost) === v.host);
  return { low: s?.low ?? cfg.thresholds.low, critical: s?.critical ?? cfg.thresholds.critical };
}

/**
 * The level of a volume from its use: critical and low at their thresholds; a volume at a level
 * only goes down once it is `hysteresis` points below that level's threshold.
 */
export function levelOf(usedPct: number, held: SpaceLevel, t: { low: number; critical: number }, hysteresis: number): SpaceLevel {
  if (usedPct >= t.critical) return "critical";
  if (held === "critical" && usedPct > t.critical - hysteresis) return "critical";
  if (usedPct >= t.low) return "low";
  if (held !== "ok" && usedPct > t.low - hysteresis) return "low";
  return "ok";
}

/**
 * Low-space warnings: each volume's level kept in SQLite; a change is an event on LAG_IT_STORAGE
 * with the reservations open there (MEDIA_LAG pauses its imports on the volume until it is `ok`).
 */
export class SpaceWarnings {
  constructor(
    private readonly o: {
      db: Db;
      cfg: StorageConfig;
      host: string;
      reservations: ReservationBook;
      outbox: Outbox;
      clock: Clock;
      log: Logger;
    },
  ) {}

  held(host: string, mount: string): SpaceLevel {
    return (
      this.o.db
        .select({ level: levels.level })
        .from(levels)
        .where(and(eq(levels.host, host), eq(levels.mount, mount)))
        .get()?.level ?? "ok"
    );
  }

  update(volumes: MeasuredVolume[]): void {
    const { cfg, db, clock } = this.o;
    for (const v of volumes) {
      const held = this.held(v.host, v.mount);
      const t = thresholdsOf(cfg, this.o.host, v);
      const level = levelOf(v.usedPct, held, t, cfg.hysteresisPct);
      if (level === held) continue;
      const now = clock.now();
      db.insert(levels)
        .values({ host: v.host, mount: v.mount, level, since: now.getTime() })
        .onConflictDoUpdate({ target: [levels.host, levels.mount], set: { level, since: now.getTime() } })
        .run();
      const reserved = this.o.reservations.reservedOn(v.host, v.mount);
      const thresholdPct = level === "ok" ? t.low : t[level];
      this.o.outbox.add(storageSpace, {
        level,
        previous: held,
        at: now.toISOString(),
        host: v.host,
        mount: v.mount,
        ...(v.role ? { role: v.role } : {}),
        usedPct: v.usedPct,
        measuredFreeBytes: v.freeBytes,
        freeBytes: Math.max(0, v.freeBytes - reserved),
        thresholdPct,
        reservations: this.o.reservations.open({ host: v.host, mount: v.mount }),
      });
      void this.o.outbox.flush();
      const line = `${v.host}:${v.mount} at ${v.usedPct.toFixed(1)} % used: ${level === "ok" ? "space is back" : `${level} space`} (was ${held})`;
      if (level === "ok") this.o.log.info({ host: v.host, mount: v.mount, level }, line);
      else this.o.log.warn({ host: v.host, mount: v.mount, level }, line);
    }
  }
}
