import { and, desc, eq, gte, inArray, ne, sql } from "drizzle-orm";
import type Database from "better-sqlite3";
import type { Statement } from "better-sqlite3";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { Alert, Incident, IncidentAlert, IncidentSummary, Silence, TimelineEntry } from "@lag/contracts";
import * as schema from "./schema.ts";

type Db = BetterSQLite3Database<typeof schema>;
export type ActionRow = typeof schema.actions.$inferSelect;
export type ActionStatus = "proposed" | "approved" | "denied" | "expired" | "cancelled" | "running" | "done" | "failed" | "interrupted";

export interface StoredIncident {
  summary: IncidentSummary;
  alerts: (IncidentAlert & { raw: Alert })[];
  quietSince?: number;
}

/** The incident worker's SQLite file: incidents, their timelines, silences, runbook actions, firings. */
export class IncidentStore {
  private readonly seq = new Map<string, number>();

  /** The hot path (every change of an incident) as statements prepared once: drizzle's query building cost more than SQLite. */
  private readonly hot: { incident: Statement; entry: Statement; firing: Statement; transaction(fn: () => void): void };

  constructor(
    private readonly db: Db,
    sqlite: Database.Database,
  ) {
    this.hot = {
      incident: sqlite.prepare(
        `INSERT INTO incidents (id, host, severity, state, opened_at, acked_at, resolved_at, summary, alerts, quiet_since)
         VALUES (@id, @host, @severity, @state, @openedAt, @ackedAt, @resolvedAt, @summary, @alerts, @quietSince)
         ON CONFLICT(id) DO UPDATE SET host = excluded.host, severity = excluded.severity, state = excluded.state,
           opened_at = excluded.opened_at, acked_at = excluded.acked_at, resolved_at = excluded.resolved_at,
           summary = excluded.summary, alerts = excluded.alerts, quiet_since = excluded.quiet_since`,
      ),
      entry: sqlite.prepare(
        `INSERT INTO timeline (incident_id, seq, at, kind, actor_kind, actor, note, data)
         VALUES (@incidentId, @seq, @at, @kind, @actorKind, @actor, @note, @data)`,
      ),
      firing: sqlite.prepare("INSERT INTO firings (fingerprint, rule, host, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"),
      transaction: (fn) => sqlite.transaction(fn)(),
    };
  }

  /** Runs `fn` in one transaction (writes inside it are savepoints): one commit for everything one alert changed. */
  together(fn: () => void): void {
    this.hot.transaction(fn);
  }

  /** Writes what an engine call changed, in one transaction: the incidents as they are now, and their new timeline entries. */
  write(
    incidents: readonly StoredIncident[],
    entries: readonly { incidentId: string; entry: TimelineEntry }[],
    firings: readonly Alert[] = [],
  ): void {
    this.hot.transaction(() => {
      for (const i of incidents) {
        this.hot.incident.run({
          id: i.summary.id,
          host: i.summary.host,
          severity: i.summary.severity,
          state: i.summary.state,
          openedAt: Date.parse(i.summary.openedAt),
          ackedAt: i.summary.acknowledged ? Date.parse(i.summary.acknowledged.at) : null,
          resolvedAt: i.summary.resolvedAt ? Date.parse(i.summary.resolvedAt) : null,
          summary: JSON.stringify(i.summary),
          alerts: JSON.stringify(i.alerts),
          quietSince: i.quietSince ?? null,
        });
      }
      for (const { incidentId, entry } of entries) {
        // A new incident's timeline starts here: no need to ask the file.
        if (entry.kind === "opened" && !this.seq.has(incidentId)) this.seq.set(incidentId, 0);
        this.hot.entry.run({
          incidentId,
          seq: this.nextSeq(this.db, incidentId),
          at: entry.at,
          kind: entry.kind,
          actorKind: entry.actor.kind,
          actor: entry.actor.name,
          note: entry.note,
          data: entry.data ? JSON.stringify(entry.data) : null,
        });
      }
      for (const a of firings) this.hot.firing.run(a.fingerprint, a.rule, a.host, Date.parse(a.startsAt) || Date.now());
    });
  }

  private nextSeq(db: Db, incidentId: string): number {
    let n = this.seq.get(incidentId);
    if (n === undefined) {
      n = db
        .select({ n: sql<number>`coalesce(max(${schema.timeline.seq}), 0)` })
        .from(schema.timeline)
        .where(eq(schema.timeline.incidentId, incidentId))
        .get()!.n;
    }
    this.seq.set(incidentId, n + 1);
    return n + 1;
  }

  /** What was open when the worker last stopped. */
  open(): StoredIncident[] {
    return this.db
      .select()
      .from(schema.incidents)
      .where(ne(schema.incidents.state, "resolved"))
      .all()
      .map((r) => ({
        summary: r.summary as IncidentSummary,
        alerts: r.alerts as StoredIncident["alerts"],
        ...(r.quietSince !== null ? { quietSince: r.quietSince } : {}),
      }));
  }

  /** One incident as stored, with the original alerts. */
  raw(id: string): StoredIncident | undefined {
    const r = this.db.select().from(schema.incidents).where(eq(schema.incidents.id, id)).get();
    if (!r) return undefined;
    return {
      summary: r.summary as IncidentSummary,
      alerts: r.alerts as StoredIncident["alerts"],
      ...(r.quietSince !== null ? { quietSince: r.quietSince } : {}),
    };
  }

  list(all: boolean, limit: number): IncidentSummary[] {
    const rows = this.db
      .select({ summary: schema.incidents.summary })
      .from(schema.incidents)
      .where(all ? undefined : ne(schema.incidents.state, "resolved"))
      .orderBy(desc(schema.incidents.openedAt))
      .limit(limit)
      .all();
    return rows.map((r) => r.summary as IncidentSummary);
  }

  show(id: string): Incident | undefined {
    const row = this.db.select().from(schema.incidents).where(eq(schema.incidents.id, id)).get();
    if (!row) return undefined;
    const timeline = this.db.select().from(schema.timeline).where(eq(schema.timeline.incidentId, id)).orderBy(schema.timeline.seq).all();
    return {
      ...(row.summary as IncidentSummary),
      alerts: (row.alerts as StoredIncident["alerts"]).map(({ raw: _, ...a }) => a),
      timeline: timeline.map((t) => ({
        at: t.at,
        kind: t.kind as TimelineEntry["kind"],
        actor: { kind: t.actorKind as TimelineEntry["actor"]["kind"], name: t.actor },
        note: t.note,
        ...(t.data ? { data: t.data as Record<string, unknown> } : {}),
      })),
    };
  }

  /** Incidents opened since `since`, for measures and the report. */
  openedSince(
    since: number,
  ): { severity: string; openedAt: number; ackedAt: number | null; resolvedAt: number | null; summary: IncidentSummary }[] {
    return this.db
      .select({
        severity: schema.incidents.severity,
        openedAt: schema.incidents.openedAt,
        ackedAt: schema.incidents.ackedAt,
        resolvedAt: schema.incidents.resolvedAt,
        summary: schema.incidents.summary,
      })
      .from(schema.incidents)
      .where(gte(schema.incidents.openedAt, since))
      .all()
      .map((r) => ({ ...r, summary: r.summary as IncidentSummary }));
  }

  resolvedSince(since: number): number {
    return this.db.select({ n: sql<number>`count(*)` }).from(schema.incidents).where(gte(schema.incidents.resolvedAt, since)).get()!.n;
  }

  firingsSince(since: number): { fingerprint: string; rule: string; host: string; times: number }[] {
    return this.db
      .select({
        fingerprint: schema.firings.fingerprint,
        rule: schema.firings.rule,
        host: schema.firings.host,
        times: sql<number>`count(*)`,
      })
      .from(schema.firings)
      .where(gte(schema.firings.at, since))
      .groupBy(schema.firings.fingerprint, schema.firings.rule, schema.firings.host)
      .all();
  }

  // ——— silences ———

  saveSilence(s: Silence): void {
    const row = { id: s.id, silence: s, endsAt: Date.parse(s.endsAt) };
    this.db.insert(schema.silences).values(row).onConflictDoUpdate({ target: schema.silences.id, set: row }).run();
  }

  silences(all: boolean, now: number): Silence[] {
    return this.db
      .select()
      .from(schema.silences)
      .where(all ? undefined : gte(schema.silences.endsAt, now))
      .orderBy(desc(schema.silences.endsAt))
      .all()
      .map((r) => r.silence as Silence)
      .filter((s) => all || !s.expiredAt);
  }

  // ——— actions ———

  addAction(a: Omit<ActionRow, "decision" | "result"> & { decision?: unknown; result?: string }): void {
    this.db
      .insert(schema.actions)
      .values({ ...a, decision: a.decision ?? null, result: a.result ?? null })
      .onConflictDoNothing()
      .run();
  }

  action(requestId: string): ActionRow | undefined {
    return this.db.select().from(schema.actions).where(eq(schema.actions.requestId, requestId)).get();
  }

  /** Moves an action on, only from the status it is expected to be in: a second decision or a second run changes nothing. */
  moveAction(
    requestId: string,
    from: readonly ActionStatus[],
    to: ActionStatus,
    now: number,
    extra: { decision?: unknown; result?: string } = {},
  ): boolean {
    const r = this.db
      .update(schema.actions)
      .set({
        status: to,
        updatedAt: now,
        ...(extra.decision !== undefined ? { decision: extra.decision } : {}),
        ...(extra.result !== undefined ? { result: extra.result } : {}),
      })
      .where(and(eq(schema.actions.requestId, requestId), inArray(schema.actions.status, [...from])))
      .run();
    return r.changes > 0;
  }

  actionsIn(statuses: readonly ActionStatus[]): ActionRow[] {
    return this.db
      .select()
      .from(schema.actions)
      .where(inArray(schema.actions.status, [...statuses]))
      .all();
  }
}
