import { and, asc, desc, eq, gte, inArray, isNotNull, ne } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { Alert } from "@lag/contracts";
import * as schema from "./schema.ts";

type Db = BetterSQLite3Database<typeof schema>;
export type RunRow = typeof schema.runs.$inferSelect;
export type RunRepositoryRow = typeof schema.runRepositories.$inferSelect;
export type VerificationRow = typeof schema.verification.$inferSelect;
export type DrillRow = typeof schema.drills.$inferSelect;
export type PendingRestoreRow = typeof schema.pendingRestores.$inferSelect;
export type RunStatus = "running" | "ok" | "partial" | "failed" | "interrupted";
export type Part = "files" | "dump";
/** The trigger of an ad-hoc run of some of a plan's folders: not the plan's own backup, so left out of its RPO, sizes and baselines. */
export const ADHOC_TRIGGER = "request";

/** The plan's own runs: ad-hoc runs of some of its folders left out. */
function ownRunsOf(plan: string) {
  return and(eq(schema.runs.plan, plan), ne(schema.runs.trigger, ADHOC_TRIGGER))!;
}

/** The backup worker's SQLite file: runs and what they did per repository, checks, drills, what a crash must undo. */
export class Catalogue {
  constructor(private readonly db: Db) {}

  startRun(r: { id: string; plan: string; trigger: string; startedAt: number }): void {
    this.db
      .insert(schema.runs)
      .values({ ...r, status: "running" })
      .run();
  }

  finishRun(id: string, status: Exclude<RunStatus, "running">, finishedAt: number, error?: string): void {
    this.db
      .update(schema.runs)
      .set({ status, finishedAt, error: error ?? null, pid: null })
      .where(eq(schema.runs.id, id))
      .run();
  }

  setPid(id: string, pid: number | null): void {
    this.db.update(schema.runs).set({ pid }).where(eq(schema.runs.id, id)).run();
  }

  recordRepository(row: RunRepositoryRow): void {
    this.db.insert(schema.runRepositories).values(row).onConflictDoNothing().run();
  }

  runningRuns(): RunRow[] {
    return this.db.select().from(schema.runs).where(eq(schema.runs.status, "running")).all();
  }

  /** The plan's runs since `since`, newest first. */
  runs(plan: string, since = 0, limit = 1000): RunRow[] {
    return this.db
      .select()
      .from(schema.runs)
      .where(and(eq(schema.runs.plan, plan), gte(schema.runs.startedAt, since)))
      .orderBy(desc(schema.runs.startedAt))
      .limit(limit)
      .all();
  }

  /** When the plan last succeeded everywhere (a run ending ok or partial; an ad-hoc run of some folders does not count). */
  lastGoodRun(plan: string): RunRow | undefined {
    return this.db
      .select()
      .from(schema.runs)
      .where(and(ownRunsOf(plan), inArray(schema.runs.status, ["ok", "partial"]), isNotNull(schema.runs.finishedAt)))
      .orderBy(desc(schema.runs.finishedAt))
      .limit(1)
      .get();
  }

  /** The last result in each repository of the plan: its last success and, if later, its last failure. */
  repositoryState(plan: string, repository: string): { lastOk?: RunRepositoryRow; lastFailed?: RunRepositoryRow } {
    const rows = this.db
      .select({ r: schema.runRepositories })
      .from(schema.runRepositories)
      .innerJoin(schema.runs, eq(schema.runs.id, schema.runRepositories.runId))
      .where(and(ownRunsOf(plan), eq(schema.runRepositories.repository, repository)))
      .orderBy(desc(schema.runRepositories.finishedAt))
      .limit(50)
      .all()
      .map((x) => x.r);
    const lastOk = rows.find((r) => r.status !== "failed");
    const lastFailed = rows.find((r) => r.status === "failed");
    return {
      ...(lastOk ? { lastOk } : {}),
      ...(lastFailed && (!lastOk || lastFailed.finishedAt > lastOk.finishedAt) ? { lastFailed } : {}),
    };
  }

  /** Each good run since `since`, oldest first: bytes read and added (the parts summed) in its largest repository. */
  sizes(plan: string, since: number): { at: number; bytes: number; added: number }[] {
    const rows = this.db
      .select({ r: schema.runRepositories, startedAt: schema.runs.startedAt })
      .from(schema.runRepositories)
      .innerJoin(schema.runs, eq(schema.runs.id, schema.runRepositories.runId))
      .where(and(ownRunsOf(plan), gte(schema.runs.startedAt, since), inArray(schema.runRepositories.status, ["ok", "partial"])))
      .all();
    const byRun = new Map<string, { at: number; repos: Map<string, { bytes: number; added: number }> }>();
    for (const { r, startedAt } of rows) {
      const run = byRun.get(r.runId) ?? { at: r.finishedAt, repos: new Map() };
      run.at = Math.max(run.at, r.finishedAt, startedAt);
      const repo = run.repos.get(r.repository) ?? { bytes: 0, added: 0 };
      repo.bytes += r.bytesProcessed ?? 0;
      repo.added += r.bytesAdded ?? 0;
      run.repos.set(r.repository, repo);
      byRun.set(r.runId, run);
    }
    return [...byRun.values()]
      .map((run) => {
        const biggest = [...run.repos.values()].sort((a, b) => b.bytes - a.bytes)[0]!;
        return { at: run.at, ...biggest };
      })
      .sort((a, b) => a.at - b.at);
  }

  /** The last `n` good results of one part in one repository, newest first: the baseline of the anomaly check. */
  goodHistory(plan: string, repository: string, part: Part, n: number, before: string): RunRepositoryRow[] {
    return this.db
      .select({ r: schema.runRepositories })
      .from(schema.runRepositories)
      .innerJoin(schema.runs, eq(schema.runs.id, schema.runRepositories.runId))
      .where(
        and(
          ownRunsOf(plan),
          eq(schema.runRepositories.repository, repository),
          eq(schema.runRepositories.part, part),
          inArray(schema.runRepositories.status, ["ok", "partial"]),
        ),
      )
      .orderBy(desc(schema.runRepositories.finishedAt))
      .limit(n + 1)
      .all()
      .map((x) => x.r)
      .filter((r) => r.runId !== before)
      .slice(0, n);
  }

  // --- containers a hook stopped ---

  containerStopped(container: string, plan: string, runId: string, at: number): void {
    this.db
      .insert(schema.stoppedContainers)
      .values({ container, plan, runId, stoppedAt: at })
      .onConflictDoUpdate({ target: schema.stoppedContainers.container, set: { plan, runId, stoppedAt: at } })
      .run();
  }

  containerStarted(container: string): void {
    this.db.delete(schema.stoppedContainers).where(eq(schema.stoppedContainers.container, container)).run();
  }

  stoppedContainers(): (typeof schema.stoppedContainers.$inferSelect)[] {
    return this.db.select().from(schema.stoppedContainers).orderBy(asc(schema.stoppedContainers.stoppedAt)).all();
  }

  // --- alerts firing now ---

  firing(): Alert[] {
    return this.db
      .select()
      .from(schema.firingAlerts)
      .all()
      .map((r) => r.alert as Alert);
  }

  setFiring(a: Alert): void {
    this.db
      .insert(schema.firingAlerts)
      .values({ fingerprint: a.fingerprint, alert: a })
      .onConflictDoUpdate({ target: schema.firingAlerts.fingerprint, set: { alert: a } })
      .run();
  }

  clearFiring(fingerprint: string): void {
    this.db.delete(schema.firingAlerts).where(eq(schema.firingAlerts.fingerprint, fingerprint)).run();
  }

  // --- the rotating check ---

  verification(repository: string, slices: number): VerificationRow {
    const row = this.db.select().from(schema.verification).where(eq(schema.verification.repository, repository)).get();
    // A changed number of slices starts a new cycle.
    if (row && row.slices === slices) return row;
    return {
      repository,
      nextSlice: 1,
      done: 0,
      slices,
      lastDataAt: row?.lastDataAt ?? null,
      lastDataOk: row?.lastDataOk ?? null,
      lastMetadataAt: row?.lastMetadataAt ?? null,
      lastMetadataOk: row?.lastMetadataOk ?? null,
    };
  }

  saveVerification(row: VerificationRow): void {
    const { repository, ...rest } = row;
    this.db.insert(schema.verification).values(row).onConflictDoUpdate({ target: schema.verification.repository, set: rest }).run();
  }

  // --- drills ---

  recordDrill(row: DrillRow): void {
    this.db.insert(schema.drills).values(row).onConflictDoNothing().run();
  }

  lastDrill(plan: string): DrillRow | undefined {
    return this.db.select().from(schema.drills).where(eq(schema.drills.plan, plan)).orderBy(desc(schema.drills.at)).limit(1).get();
  }

  // --- restores waiting for an approval ---

  addPendingRestore(row: PendingRestoreRow): void {
    this.db.insert(schema.pendingRestores).values(row).onConflictDoNothing().run();
  }

  pendingRestore(requestId: string): PendingRestoreRow | undefined {
    return this.db.select().from(schema.pendingRestores).where(eq(schema.pendingRestores.requestId, requestId)).get();
  }

  setPendingRestoreState(requestId: string, state: "waiting" | "running" | "done" | "refused"): void {
    this.db.update(schema.pendingRestores).set({ state }).where(eq(schema.pendingRestores.requestId, requestId)).run();
  }

  // --- small facts ---

  getMeta(key: string): number | undefined {
    return this.db.select().from(schema.meta).where(eq(schema.meta.key, key)).get()?.value;
  }

  setMeta(key: string, value: number): void {
    this.db.insert(schema.meta).values({ key, value }).onConflictDoUpdate({ target: schema.meta.key, set: { value } }).run();
  }

  /** When the plan was first seen; recorded now if never. */
  planSeen(plan: string, now: number): number {
    const at = this.getMeta(`seen:${plan}`);
    if (at !== undefined) return at;
    this.setMeta(`seen:${plan}`, now);
    return now;
  }
}
