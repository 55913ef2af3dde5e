import { randomBytes } from "node:crypto";
import { and, desc, eq, gte, lte, ne, or, type SQL } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { Clock } from "@lag/async";
import { ServiceError } from "@lag/bus";
import {
  compactTime,
  formatBytes,
  storageReservation,
  type Alternative,
  type Reservation,
  type ReserveReply,
  type ReserveRequest,
  type StorageReservationEvent,
} from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import type { StorageConfig } from "./config.ts";
import { reservations } from "./store/schema.ts";
import type { MeasuredVolume, VolumeBook } from "./volumes.ts";

type Db = BetterSQLite3Database<Record<string, unknown>>;

const DAY = 86_400_000;
/** Closed reservations are kept this long for `lag storage reservations --all` and the audit. */
const KEEP_CLOSED = 30 * DAY;

export function newReservationId(at: Date): string {
  return `res-${compactTime(at)}-${randomBytes(3).toString("hex")}`;
}

/**
 * Space held for imports. Every grant is decided and written in one synchronous SQLite
 * transaction, so requests that arrive together are decided one after the other against what the
 * previous ones took: two that together do not fit are never both granted. Reservations live in
 * the worker's SQLite file, so they outlast a restart of either side.
 */
export class ReservationBook {
  constructor(
    private readonly o: {
      db: Db;
      cfg: StorageConfig;
      host: string;
      volumes: VolumeBook;
      outbox: Outbox;
      clock: Clock;
      log: Logger;
    },
  ) {}

  /** Bytes held by open reservations on a volume. */
  reservedOn(host: string, mount: string): number {
    return this.open({ host, mount }).reduce((s, r) => s + r.bytes, 0);
  }

  open(where: { host?: string; mount?: string } = {}): Reservation[] {
    return this.select(eq(reservations.state, "open"), where);
  }

  /** Open ones, and with `all` those closed in the last 30 days too; newest first. */
  list(q: { all?: boolean; host?: string }): Reservation[] {
    if (!q.all) return this.open(q.host ? { host: q.host } : {});
    const since = this.o.clock.now().getTime() - KEEP_CLOSED;
    return this.select(or(eq(reservations.state, "open"), gte(reservations.expiresAt, since))!, q.host ? { host: q.host } : {});
  }

  private select(state: SQL, where: { host?: string; mount?: string }): Reservation[] {
    const conds = [state];
    if (where.host) conds.push(eq(reservations.host, where.host));
    if (where.mount) conds.push(eq(reservations.mount, where.mount));
    return this.o.db
      .select({ data: reservations.data })
      .from(reservations)
      .where(and(...conds))
      .orderBy(desc(reservations.id))
      .all()
      .map((r) => r.data);
  }

  get(id: string): Reservation {
    const row = this.o.db.select({ data: reservations.data }).from(reservations).where(eq(reservations.id, id)).get();
    if (!row) throw new ServiceError(404, `no reservation ${id} (lag storage reservations --all)`);
    return row.data;
  }

  /** What a new reservation may take on a volume: free as measured, less what is reserved and the share kept free. */
  room(v: MeasuredVolume): { reserved: number; keep: number; available: number } {
    const reserved = this.reservedOn(v.host, v.mount);
    const pct =
      this.o.cfg.volumes.find((s) => s.mount === v.mount && (s.host ?? this.o.host) === v.host)?.keepFreePct ?? this.o.cfg.keepFreePct;
    const keep = (v.sizeBytes * pct) / 100;
    return { reserved, keep, available: Math.max(0, v.freeBytes - reserved - keep) };
  }

  reserve(req: ReserveRequest, requester: string): ReserveReply {
    const { cfg, db, clock } = this.o;
    const now = clock.now();
    const host = req.host ?? this.o.host;
    const ttl = req.ttlMs ?? cfg.reservationTtl;
    if (ttl > cfg.maxReservationTtl)
      throw new ServiceError(400, `ttlMs: at most ${cfg.maxReservationTtl} (it.storage.maxReservationTtl), ${ttl} asked`);
    return db.transaction(() => {
      this.expireDue(now);
      // The same key again gets the reservation it got (an answer lost, a restart), while it is open;
      // once that one is closed (expired while the import went on) the key asks anew.
      if (req.key) {
        const held = db
          .select({ data: reservations.data })
          .from(reservations)
          .where(and(eq(reservations.requester, requester), eq(reservations.key, req.key), eq(reservations.state, "open")))
          .get();
        if (held) return { granted: true as const, reservation: held.data };
      }
      const asked = { path: req.path, bytes: req.bytes, purpose: req.purpose, requester };
      const volume = this.o.volumes.holding(host, req.path);
      if (!volume) {
        const known = this.o.volumes.hosts();
        const reason = known.includes(host)
          ? `no volume of ${host} holds ${req.path}`
          : `${host} has not been measured yet (known: ${known.join(", ") || "none"}); ask again once its monitor reports`;
        return this.refuse(asked, host, reason, this.alternatives(req.bytes));
      }
      const { reserved, keep, available } = this.room(volume);
      if (req.bytes > available) {
        const reason =
          `${formatBytes(req.bytes)} asked, ${formatBytes(available)} can be reserved on ${host}:${volume.mount} ` +
          `(${formatBytes(volume.freeBytes)} free, ${formatBytes(reserved)} reserved, ${formatBytes(keep)} kept free)`;
        return this.refuse(asked, host, reason, this.alternatives(req.bytes));
      }
      const r: Reservation = {
        id: newReservationId(now),
        host,
        mount: volume.mount,
        path: req.path,
        bytes: req.bytes,
        requestedBytes: req.bytes,
        purpose: req.purpose,
        requester,
        ...(req.key ? { key: req.key } : {}),
        createdAt: now.toISOString(),
        expiresAt: new Date(now.getTime() + ttl).toISOString(),
        state: "open",
      };
      this.write(r, true);
      this.publish({
        change: "granted",
        at: r.createdAt,
        host,
        reservation: r,
        note: `${formatBytes(r.bytes)} of ${formatBytes(available)} that could be reserved on ${host}:${volume.mount}`,
      });
      return { granted: true as const, reservation: r };
    });
  }

  shrink(id: string, bytes: number, ttlMs?: number): Reservation {
    const now = this.o.clock.now();
    return this.o.db.transaction(() => {
      this.expireDue(now);
      const r = this.get(id);
      if (r.state !== "open") throw new ServiceError(409, `reservation ${id} is ${r.state} already`);
      if (bytes > r.bytes)
        throw new ServiceError(400, `bytes: a reservation only shrinks (${formatBytes(r.bytes)} held, ${formatBytes(bytes)} asked)`);
      const expiresAt = ttlMs === undefined ? r.expiresAt : new Date(now.getTime() + ttlMs).toISOString();
      if (ttlMs !== undefined && ttlMs > this.o.cfg.maxReservationTtl)
        throw new ServiceError(400, `ttlMs: at most ${this.o.cfg.maxReservationTtl} (it.storage.maxReservationTtl)`);
      const next: Reservation = { ...r, bytes, expiresAt };
      this.write(next, false);
      this.publish({
        change: "shrunk",
        at: now.toISOString(),
        host: r.host,
        reservation: next,
        note: `${formatBytes(r.bytes)} → ${formatBytes(bytes)}${ttlMs === undefined ? "" : `, held until ${expiresAt}`}`,
      });
      return next;
    });
  }

  release(id: string, writtenBytes?: number): Reservation {
    const now = this.o.clock.now();
    return this.o.db.transaction(() => {
      const r = this.get(id);
      if (r.state !== "open") return r;
      const next: Reservation = {
        ...r,
        state: "released",
        closedAt: now.toISOString(),
        ...(writtenBytes === undefined ? {} : { writtenBytes }),
      };
      this.write(next, false);
      this.publish({
        change: "released",
        at: next.closedAt!,
        host: r.host,
        reservation: next,
        note: `${formatBytes(r.bytes)} given back on ${r.host}:${r.mount}${writtenBytes === undefined ? "" : `, ${formatBytes(writtenBytes)} written`}`,
      });
      return next;
    });
  }

  /** Closes every open reservation past its expiry; returns how many. */
  expireDue(now: Date): number {
    const due = this.o.db
      .select({ data: reservations.data })
      .from(reservations)
      .where(and(eq(reservations.state, "open"), lte(reservations.expiresAt, now.getTime())))
      .all();
    for (const { data: r } of due) {
      const next: Reservation = { ...r, state: "expired", closedAt: now.toISOString() };
      this.write(next, false);
      this.publish({ change: "expired", at: next.closedAt!, host: r.host, reservation: next, note: `not released by ${r.expiresAt}` });
      this.o.log.warn(
        { reservation: r.id, requester: r.requester, path: r.path },
        `reservation ${r.id} expired: ${formatBytes(r.bytes)} given back`,
      );
    }
    // Closed ones are forgotten after 30 days.
    this.o.db
      .delete(reservations)
      .where(and(ne(reservations.state, "open"), lte(reservations.expiresAt, now.getTime() - KEEP_CLOSED)))
      .run();
    return due.length;
  }

  /** Volumes where `bytes` could be reserved, most room first. */
  alternatives(bytes: number): Alternative[] {
    return this.o.volumes
      .all()
      .map((v) => ({ v, available: this.room(v).available }))
      .filter(({ available }) => available >= bytes)
      .sort((a, b) => b.available - a.available)
      .map(({ v, available }) => ({ host: v.host, mount: v.mount, ...(v.role ? { role: v.role } : {}), freeBytes: available }));
  }

  private refuse(
    request: NonNullable<StorageReservationEvent["request"]>,
    host: string,
    reason: string,
    alternatives: Alternative[],
  ): ReserveReply {
    const where = alternatives.length > 0 ? `; it fits on ${alternatives.map((a) => `${a.host}:${a.mount}`).join(", ")}` : "";
    this.publish({ change: "refused", at: this.o.clock.now().toISOString(), host, request, note: `${reason}${where}` });
    this.o.log.info({ ...request, host }, `reservation refused: ${reason}`);
    return { granted: false, reason, alternatives };
  }

  private write(r: Reservation, insert: boolean): void {
    const row = {
      id: r.id,
      host: r.host,
      mount: r.mount,
      state: r.state,
      requester: r.requester,
      key: r.key ?? null,
      expiresAt: Date.parse(r.expiresAt),
      data: r,
    };
    if (insert) this.o.db.insert(reservations).values(row).run();
    else this.o.db.update(reservations).set(row).where(eq(reservations.id, r.id)).run();
  }

  private publish(e: StorageReservationEvent): void {
    this.o.outbox.add(storageReservation, e);
    void this.o.outbox.flush();
  }
}
