import { randomBytes } from "node:crypto";
import { and, desc, eq, inArray } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { Clock } from "@lag/async";
import { ServiceError, type Bus } from "@lag/bus";
import {
  backupService,
  compactTime,
  formatBytes,
  mediaImportChanged,
  reservationsService,
  type BackupEvent,
  type MediaImport,
  type MediaImportEvent,
  type SpaceLevel,
  type StorageSpaceEvent,
} from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import type { MediaConfig } from "./config.ts";
import { imports, volumeLevels } from "./schema.ts";

type Db = BetterSQLite3Database<Record<string, unknown>>;
type Change = MediaImportEvent["change"];

const LEVEL_RANK: Record<SpaceLevel, number> = { ok: 0, low: 1, critical: 2 };
const UNDER_WAY: MediaImport["state"][] = ["reserving", "importing", "paused", "backing-up"];

export function newImportId(at: Date): string {
  return `imp-${compactTime(at)}-${randomBytes(2).toString("hex")}`;
}

/**
 * MEDIA_LAG's imports: space reserved with IT_LAG first (the import's id is the reservation's key,
 * so asking again after a lost answer or a restart never holds the space twice), paused while its
 * volume is short of space, the space given back when it is written, its folder then backed up as
 * an ad-hoc run of the configured plan. Every change is an event on LAG_MEDIA and a log line.
 */
export class Imports {
  constructor(private readonly o: { db: Db; cfg: MediaConfig; bus: Bus; outbox: Outbox; clock: Clock; log: Logger }) {}

  list(all = false): MediaImport[] {
    const q = this.o.db.select({ data: imports.data }).from(imports);
    return (all ? q : q.where(inArray(imports.state, UNDER_WAY)))
      .orderBy(desc(imports.id))
      .all()
      .map((r) => r.data);
  }

  get(id: string): MediaImport {
    const row = this.o.db.select({ data: imports.data }).from(imports).where(eq(imports.id, id)).get();
    if (!row) throw new ServiceError(404, `no import ${id}`);
    return row.data;
  }

  async start(req: { name: string; folder: string; bytes: number }): Promise<MediaImport> {
    const now = this.o.clock.now();
    const imp: MediaImport = {
      id: newImportId(now),
      name: req.name,
      folder: req.folder,
      bytes: req.bytes,
      state: "reserving",
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
    };
    this.o.db.insert(imports).values({ id: imp.id, state: imp.state, data: imp }).run();
    return this.reserve(imp);
  }

  /** Asks IT_LAG for the import's space (again, for one left `reserving` by a lost answer or a restart). */
  async reserve(imp: MediaImport): Promise<MediaImport> {
    let reply;
    try {
      reply = await this.o.bus.request(reservationsService.endpoints.reserve, {
        path: imp.folder,
        bytes: imp.bytes,
        purpose: `import: ${imp.name}`,
        ttlMs: this.o.cfg.reservationTtl,
        key: imp.id,
      });
    } catch (err) {
      // A request IT_LAG refuses as such (a folder not absolute, a ttl past its limit) is not asked again.
      if (err instanceof ServiceError && err.status < 500) {
        const reason = `IT_LAG refused the request: ${err.description}`;
        return this.change({ ...imp, state: "refused", reason }, "refused", reason);
      }
      this.o.log.warn({ import: imp.id, err }, `import ${imp.name}: IT_LAG did not reserve (asked again later)`);
      return this.save({ ...imp, reason: `waiting for IT_LAG: ${(err as Error).message}` });
    }
    if (!reply.granted) {
      const where = reply.alternatives.map((a) => `${a.host}:${a.mount} (${formatBytes(a.freeBytes)})`).join(", ");
      const reason = `${reply.reason}${where ? `; it would fit on ${where}` : "; it fits nowhere"}`;
      return this.change({ ...imp, state: "refused", reason }, "refused", reason);
    }
    const r = reply.reservation;
    const placed = { ...imp, host: r.host, mount: r.mount, reservationId: r.id, reservedUntil: r.expiresAt };
    delete placed.reason;
    const started = this.change({ ...placed, state: "importing" }, "started", `${formatBytes(r.bytes)} reserved on ${r.host}:${r.mount}`);
    const level = this.levelOf(r.host, r.mount);
    return this.paused(level) ? this.pause(started, level) : started;
  }

  async finish(req: { id: string; writtenBytes?: number; backup?: boolean }): Promise<MediaImport> {
    let imp = this.get(req.id);
    if (!["importing", "paused"].includes(imp.state)) throw new ServiceError(409, `import ${imp.id} is ${imp.state}`);
    await this.release(imp, req.writtenBytes);
    imp = { ...imp, ...(req.writtenBytes === undefined ? {} : { writtenBytes: req.writtenBytes }) };
    delete imp.reason;
    const plan = this.o.cfg.backupPlan;
    if (req.backup === false || !plan) {
      const why = req.backup === false ? "no backup asked" : "no media.backupPlan configured: not backed up";
      return this.change({ ...imp, state: "done", reason: why }, "finished", `space given back; ${why}`);
    }
    const finished = this.change(
      { ...imp, state: "backing-up", backup: { plan, state: "waiting", snapshots: [], at: this.o.clock.now().toISOString() } },
      "finished",
      `space given back; ${imp.folder} to be backed up by plan ${plan}`,
    );
    return this.requestBackup(finished);
  }

  async cancel(id: string): Promise<MediaImport> {
    const imp = this.get(id);
    if (!["reserving", "importing", "paused"].includes(imp.state)) throw new ServiceError(409, `import ${imp.id} is ${imp.state}`);
    await this.release(imp);
    return this.change({ ...imp, state: "cancelled" }, "cancelled", "given up; space given back");
  }

  /** IT_LAG's word on a volume: imports there pause at `pauseAt` and go on when it is below it again. */
  onSpace(e: StorageSpaceEvent): void {
    this.o.db
      .insert(volumeLevels)
      .values({ host: e.host, mount: e.mount, level: e.level })
      .onConflictDoUpdate({ target: [volumeLevels.host, volumeLevels.mount], set: { level: e.level } })
      .run();
    for (const imp of this.list()) {
      if (imp.host !== e.host || imp.mount !== e.mount) continue;
      if (imp.state === "importing" && this.paused(e.level)) this.pause(imp, e.level, e.usedPct);
      else if (imp.state === "paused" && !this.paused(e.level))
        this.change({ ...imp, state: "importing" }, "resumed", `space is back on ${e.host}:${e.mount} (${e.usedPct.toFixed(1)} % used)`);
    }
  }

  /** The backup worker's events: the runs MEDIA_LAG asked for end its imports. */
  onBackup(e: BackupEvent): void {
    const imp = this.list().find((i) => i.state === "backing-up" && i.backup?.runId === e.runId);
    if (!imp?.backup) return;
    const backup = imp.backup;
    if (e.kind === "completed") {
      this.save({
        ...imp,
        backup: { ...backup, snapshots: [...backup.snapshots, { repository: e.repository, snapshotId: e.snapshotId }] },
      });
    } else if (e.kind === "finished") {
      const ok = e.status === "ok" || e.status === "partial";
      const next = {
        ...backup,
        state: ok ? (e.status as "ok" | "partial") : ("failed" as const),
        at: e.at,
        ...(e.error ? { error: e.error } : {}),
      };
      if (ok)
        this.change(
          { ...imp, state: "done", backup: next },
          "backed-up",
          `${imp.folder} backed up (${e.status}) by run ${e.runId}: ${next.snapshots.map((s) => `${s.repository} ${s.snapshotId.slice(0, 8)}`).join(", ")}`,
        );
      else
        this.change(
          { ...imp, state: "failed", backup: next, reason: e.error ?? e.status },
          "backup-failed",
          `backup run ${e.runId} ${e.status}: ${e.error ?? ""}`,
        );
    }
  }

  /**
   * Imports left waiting: a reservation whose answer was lost, a backup that could not start; and
   * the reservations of imports under way, extended once half their time is gone.
   */
  async retry(): Promise<void> {
    for (const imp of this.list()) {
      if (imp.state === "reserving") await this.reserve(imp);
      else if (imp.state === "backing-up" && imp.backup?.state === "waiting") await this.requestBackup(imp);
      else if (imp.state === "importing" || imp.state === "paused") await this.keepReserved(imp);
    }
  }

  private async keepReserved(imp: MediaImport): Promise<void> {
    const ttl = this.o.cfg.reservationTtl;
    if (!imp.reservationId || !imp.reservedUntil || Date.parse(imp.reservedUntil) - this.o.clock.now().getTime() > ttl / 2) return;
    try {
      const held = (await this.o.bus.request(reservationsService.endpoints.reservations, {})).reservations.find(
        (r) => r.id === imp.reservationId,
      );
      if (held) {
        const r = await this.o.bus.request(reservationsService.endpoints.shrink, { id: held.id, bytes: held.bytes, ttlMs: ttl });
        this.save({ ...imp, reservedUntil: r.expiresAt });
        return;
      }
      // Closed by IT_LAG meanwhile (expired while this worker was down): the space is asked for again.
      this.o.log.warn({ import: imp.id, reservation: imp.reservationId }, `import ${imp.name}: its reservation is closed; reserving again`);
      await this.reserve(imp);
    } catch (err) {
      this.o.log.warn({ import: imp.id, err }, `import ${imp.name}: its reservation could not be extended (tried again later)`);
    }
  }

  private async requestBackup(imp: MediaImport): Promise<MediaImport> {
    const backup = imp.backup!;
    try {
      const r = await this.o.bus.request(backupService.endpoints.run, {
        plan: backup.plan,
        paths: [imp.folder],
        reason: `import ${imp.name} (${imp.id})`,
      });
      if (!r.started) {
        this.o.log.info({ import: imp.id, plan: backup.plan }, `import ${imp.name}: ${r.note}; its backup is asked again later`);
        return this.save({ ...imp, reason: r.note });
      }
      this.o.log.info(
        { import: imp.id, runId: r.runId, repositories: r.repositories },
        `import ${imp.name}: backup run ${r.runId} started`,
      );
      const next = { ...imp, backup: { ...backup, runId: r.runId, state: "running" as const, at: this.o.clock.now().toISOString() } };
      delete next.reason;
      return this.save(next);
    } catch (err) {
      const refused = err instanceof ServiceError && err.status < 500;
      if (refused) {
        const reason = `the backup worker refused: ${err.description}`;
        return this.change(
          { ...imp, state: "failed", backup: { ...backup, state: "failed", error: reason }, reason },
          "backup-failed",
          reason,
        );
      }
      this.o.log.warn({ import: imp.id, err }, `import ${imp.name}: the backup worker did not answer (asked again later)`);
      return this.save({ ...imp, reason: `waiting for the backup worker: ${(err as Error).message}` });
    }
  }

  private async release(imp: MediaImport, writtenBytes?: number): Promise<void> {
    if (!imp.reservationId) return;
    await this.o.bus.request(reservationsService.endpoints.release, {
      id: imp.reservationId,
      ...(writtenBytes === undefined ? {} : { writtenBytes }),
    });
  }

  private levelOf(host: string, mount: string): SpaceLevel {
    return (
      this.o.db
        .select({ level: volumeLevels.level })
        .from(volumeLevels)
        .where(and(eq(volumeLevels.host, host), eq(volumeLevels.mount, mount)))
        .get()?.level ?? "ok"
    );
  }

  private paused(level: SpaceLevel): boolean {
    return LEVEL_RANK[level] >= LEVEL_RANK[this.o.cfg.pauseAt];
  }

  private pause(imp: MediaImport, level: SpaceLevel, usedPct?: number): MediaImport {
    const reason = `${level} space on ${imp.host}:${imp.mount}${usedPct === undefined ? "" : ` (${usedPct.toFixed(1)} % used)`}`;
    return this.change({ ...imp, state: "paused", reason }, "paused", `paused: ${reason}`);
  }

  private save(imp: MediaImport): MediaImport {
    const next = { ...imp, updatedAt: this.o.clock.now().toISOString() };
    this.o.db.update(imports).set({ state: next.state, data: next }).where(eq(imports.id, next.id)).run();
    return next;
  }

  private change(imp: MediaImport, change: Change, note: string): MediaImport {
    const next = this.save(imp);
    this.o.outbox.add(mediaImportChanged, { change, at: next.updatedAt, import: next, note });
    void this.o.outbox.flush();
    const line = `import ${next.name} ${change}: ${note}`;
    if (change === "paused" || change === "refused" || change === "backup-failed") this.o.log.warn({ import: next.id }, line);
    else this.o.log.info({ import: next.id }, line);
    return next;
  }
}
