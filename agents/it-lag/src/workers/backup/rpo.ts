import { compileCron } from "@lag/async";

/** How far a scheduled run may start late before it counts as missed: a minute, or a quarter of a shorter period. */
export function startGrace(t: PlanTiming, now: Date): number {
  return Math.min(60_000, periodOf(t, now) / 4);
}

export interface PlanTiming {
  cron: string;
  timezone: string;
  /** The plan's own window, if it names one. */
  window?: number | undefined;
}

/** The time between two scheduled runs around `now` (a daily cron: 24 h; the DST days aside). */
export function periodOf(t: PlanTiming, now: Date): number {
  const [a, b] = compileCron(t.cron, t.timezone).nextRuns(2, now);
  return a && b ? b.getTime() - a.getTime() : 24 * 3_600_000;
}

/** How long without a successful run before it is an alert: the plan's window, else its period + 25 %. */
export function windowOf(t: PlanTiming, now: Date): number {
  return t.window ?? Math.round(periodOf(t, now) * 1.25);
}

export function lastDue(t: PlanTiming, now: Date): Date | undefined {
  return compileCron(t.cron, t.timezone).previousRuns(1, now)[0];
}

export function nextDue(t: PlanTiming, now: Date): Date | undefined {
  return compileCron(t.cron, t.timezone).nextRun(now) ?? undefined;
}

export type Rpo = "green" | "amber" | "red";

/**
 * A plan's recovery point at a glance. red: no success within its window (or never one); amber:
 * the last scheduled run has not succeeded (missed or failed) but the last good copy is still
 * within the window; green otherwise (also while a run is under way).
 */
export function rpoOf(
  t: PlanTiming,
  o: { lastGoodStartedAt?: number | undefined; lastGoodFinishedAt?: number | undefined; running: boolean; now: Date },
): Rpo {
  if (o.lastGoodFinishedAt === undefined || o.lastGoodStartedAt === undefined) return "red";
  const now = o.now.getTime();
  if (now - o.lastGoodFinishedAt > windowOf(t, o.now)) return "red";
  if (o.running) return "green";
  const due = lastDue(t, o.now)?.getTime();
  const grace = startGrace(t, o.now);
  if (due !== undefined && now - due > grace && due - o.lastGoodStartedAt > grace) return "amber";
  return "green";
}

/** Whether the dead-man's switch trips: no success within the window, counted from the last success or (never one) from when the plan was first seen. */
export function missed(t: PlanTiming, o: { lastGoodFinishedAt?: number | undefined; since: number; now: Date }): boolean {
  const from = o.lastGoodFinishedAt ?? o.since;
  return o.now.getTime() - from > windowOf(t, o.now);
}
