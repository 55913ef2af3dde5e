import type { HistoryReply } from "@lag/contracts";
import type { QueryPlan } from "./plan.ts";
import { sourceResolutionMs } from "./plan.ts";
import { rollupKey, rollupKeyRange } from "./rollup-key.ts";
import type { SeriesEntry } from "./series-cache.ts";
import type { Statements } from "./statements.ts";

export type Point = HistoryReply["series"][number]["points"][number];
type Series = HistoryReply["series"];

/** Raw points of every matching series in one pass over the range (the raw key is time-major). */
export function rawPoints(st: Statements, matching: SeriesEntry[], plan: QueryPlan): Series {
  if (matching.length === 0) return [];
  const byId = new Map<number, Point[]>(matching.map((s) => [s.id, []]));
  const rows = st.rawPoints.all({ ids: JSON.stringify([...byId.keys()]), step: plan.stepMs, from: plan.fromMs, to: plan.toMs }) as [
    number,
    ...Point,
  ][];
  for (const [id, ...point] of rows) byId.get(id)!.push(point);
  return matching.map((s) => ({ labels: s.labels, points: byId.get(s.id)! }));
}

/** Roll-up points per series: the rows themselves at the roll-up's width, else merged step by step. */
export function rollupPoints(st: Statements, steps: StepIndex, matching: SeriesEntry[], plan: QueryPlan & { source: "1m" | "1h" }): Series {
  const statements = st.rollupPoints[plan.source];
  const width = sourceResolutionMs[plan.source];
  const count = (plan.toMs - plan.fromMs) / plan.stepMs;
  if (plan.stepMs !== width) steps.ensure(count);
  return matching.map((s) => {
    const rows =
      plan.stepMs === width
        ? statements.direct.all(rollupKeyRange(s.id, plan.fromMs, plan.toMs, width))
        : statements.stepped.all({
            base: rollupKey(s.id, plan.fromMs, width),
            per: plan.stepMs / width,
            steps: count,
            from: plan.fromMs,
            step: plan.stepMs,
          });
    return { labels: s.labels, points: rows as Point[] };
  });
}

/** Keeps `step_index` holding at least as many rows as a query has steps. */
export class StepIndex {
  private rows: number;

  constructor(private readonly st: Statements) {
    this.rows = st.stepRows.get() as number;
  }

  ensure(count: number): void {
    if (count <= this.rows) return;
    this.st.addSteps.run({ count });
    this.rows = count;
  }
}
