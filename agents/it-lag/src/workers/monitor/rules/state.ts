import { z } from "zod";
import { Alert, severityRank } from "@lag/contracts";

/**
 * What the engine remembers between evaluations, per series of a rule (key: the fingerprint).
 * Plain JSON on purpose: the monitor persists it after each evaluation and restores it at start,
 * so a restart neither re-announces a firing alert as new nor forgets to resolve it.
 * Times are epoch milliseconds.
 */
const Labels = z.record(z.string(), z.string());
const Points = z.array(z.tuple([z.number(), z.number()]));

/** Not breached. Kept only for rules with a window, whose history outlives the condition. */
const Idle = z.object({ phase: z.literal("idle"), rule: z.string(), labels: Labels, points: Points });

/** Breached since `since`, not yet for the rule's `for`. */
const Pending = z.object({
  phase: z.literal("pending"),
  rule: z.string(),
  labels: Labels,
  since: z.number(),
  value: z.number(),
  points: Points.optional(),
});

/** Announced. `alert` is the alert as it stands now (current value, reminders sent so far). */
const Firing = z.object({
  phase: z.literal("firing"),
  rule: z.string(),
  labels: Labels,
  since: z.number(),
  /** The last value seen; `alert.value` is null while the series is absent. */
  value: z.number(),
  /** When the first notification or the last reminder went out. */
  notifiedAt: z.number(),
  /** When the series was first found absent; cleared when it comes back. */
  missingSince: z.number().optional(),
  alert: Alert,
  points: Points.optional(),
});

export const SeriesState = z.discriminatedUnion("phase", [Idle, Pending, Firing]);
export type SeriesState = z.infer<typeof SeriesState>;
export type FiringSeries = z.infer<typeof Firing>;

export const RuleState = z.object({ version: z.literal(1), series: z.record(z.string(), SeriesState) });
export type RuleState = z.infer<typeof RuleState>;

export function emptyState(): RuleState {
  return { version: 1, series: {} };
}

/**
 * Reads persisted state back. A file that does not parse (written by an older version, truncated by
 * a crash) yields an empty state and the reason, for the caller to log: the cost is that alerts
 * firing before the restart are announced again, which is better than not starting.
 */
export function restoreState(raw: unknown): { state: RuleState; error?: string } {
  const parsed = RuleState.safeParse(raw);
  if (parsed.success) return { state: parsed.data };
  const first = parsed.error.issues[0];
  return { state: emptyState(), error: `rule state ignored: ${first ? `${first.path.join(".")}: ${first.message}` : "invalid"}` };
}

/** The alerts firing now, most severe first, then oldest first: for status reports and `lag status`. */
export function firingAlerts(state: RuleState): Alert[] {
  const out: Alert[] = [];
  for (const s of Object.values(state.series)) if (s.phase === "firing") out.push(s.alert);
  return out.sort(
    (a, b) =>
      severityRank[b.severity] - severityRank[a.severity] ||
      a.startsAt.localeCompare(b.startsAt) ||
      a.fingerprint.localeCompare(b.fingerprint),
  );
}
