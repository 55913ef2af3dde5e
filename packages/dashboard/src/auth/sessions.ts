import { createHash, randomBytes } from "node:crypto";
import { and, desc, eq, gt, isNull, lt, or } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { Role } from "../config.ts";
import { sessions } from "../store/schema.ts";

type Db = BetterSQLite3Database<Record<string, unknown>>;

export interface Session {
  id: string;
  user: string;
  role: Role;
  csrf: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  address: string;
  userAgent: string;
}

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");
const token = (bytes: number) => randomBytes(bytes).toString("base64url");

/**
 * Login sessions in SQLite: a random 256-bit token in an HttpOnly cookie, kept here only as its
 * hash; each with its own CSRF token; ended by logging out, by an admin (revoke), after `ttl`, or
 * after `idle` without a request. Survive a restart of the page.
 */
export class Sessions {
  constructor(private readonly o: { db: Db; ttlMs: number; idleMs: number }) {}

  open(user: string, role: Role, address: string, userAgent: string, now: number): { token: string; session: Session } {
    const t = token(32);
    const session: Session = {
      id: token(9),
      user,
      role,
      csrf: token(24),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + this.o.ttlMs,
      address,
      userAgent: userAgent.slice(0, 200),
    };
    this.o.db
      .insert(sessions)
      .values({ tokenHash: sha256(t), ...session })
      .run();
    return { token: t, session };
  }

  /** The live session of a cookie's token (its last-seen time moved on), or undefined. */
  find(t: string | undefined, now: number): Session | undefined {
    if (!t) return undefined;
    const row = this.o.db
      .select()
      .from(sessions)
      .where(
        and(
          eq(sessions.tokenHash, sha256(t)),
          isNull(sessions.revokedAt),
          gt(sessions.expiresAt, now),
          gt(sessions.lastSeenAt, now - this.o.idleMs),
        ),
      )
      .get();
    if (!row) return undefined;
    // Written at most once a minute: every request of a live page would otherwise be a write.
    if (now - row.lastSeenAt > 60_000)
      this.o.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, row.tokenHash)).run();
    const { tokenHash, revokedAt, ...s } = row;
    return { ...s, role: s.role as Role, lastSeenAt: now };
  }

  /** Ends a session by its public id; true when one was open. */
  revoke(id: string, now: number): boolean {
    return (
      this.o.db
        .update(sessions)
        .set({ revokedAt: now })
        .where(and(eq(sessions.id, id), isNull(sessions.revokedAt)))
        .run().changes > 0
    );
  }

  /** Ends every session of a user (a removed user, a changed role). */
  revokeUser(user: string, now: number): number {
    return this.o.db
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(eq(sessions.user, user), isNull(sessions.revokedAt)))
      .run().changes;
  }

  /** The sessions still open, newest first. */
  list(now: number): Session[] {
    return this.o.db
      .select()
      .from(sessions)
      .where(and(isNull(sessions.revokedAt), gt(sessions.expiresAt, now), gt(sessions.lastSeenAt, now - this.o.idleMs)))
      .orderBy(desc(sessions.createdAt))
      .all()
      .map(({ tokenHash, revokedAt, ...s }) => ({ ...s, role: s.role as Role }));
  }

  /** Forgets sessions ended more than a day ago. */
  prune(now: number): void {
    const before = now - 86_400_000;
    this.o.db
      .delete(sessions)
      .where(or(lt(sessions.expiresAt, before), lt(sessions.revokedAt, before), lt(sessions.lastSeenAt, before - this.o.idleMs)))
      .run();
  }
}
