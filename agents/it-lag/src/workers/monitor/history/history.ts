import { fileURLToPath } from "node:url";
import type { z } from "zod";
import type { CheckUptime, HistoryQuery, HistoryReply, SeriesQuery, SeriesReply } from "@lag/contracts";
import type { Sample } from "../samples.ts";
import { BucketAggregator, DAY_MS, HOUR_MS, MINUTE_MS } from "./buckets.ts";
import { addTo, type Bins, decodeBins, DISTRIBUTION_METRICS, encodeBins, mergeInto } from "./histogram.ts";
import { historyOptions, type HistoryOptions } from "./options.ts";
import { planQuery } from "./plan.ts";
import { rawPoints, rollupPoints, StepIndex } from "./points.ts";
import { compact, type CompactResult } from "./retention.ts";
import { SeriesCache, type SeriesEntry } from "./series-cache.ts";
import { rollupKey } from "./rollup-key.ts";
import { computeUptime, type UptimeInput } from "./uptime.ts";
import { prepareStatements, type Sqlite, type Statements } from "./statements.ts";

/** A host's history store, `<dataDir>/it-monitor-<host>.sqlite`, whichever monitor reads the host. */
export function historyStoreName(host: string): string {
  return `it-monitor-${host}`;
}

/** The monitor's migrations (drizzle-kit output, see ../drizzle.config.ts). */
export const historyMigrationsFolder = fileURLToPath(new URL("../migrations", import.meta.url));

/** Samples taken at one instant: the monitor writes one batch per collection round. */
export interface SampleBatch {
  samples: readonly Sample[];
  at: Date;
}

export interface IngestResult {
  /** New rows in the raw table (each also counted in both roll-ups). */
  inserted: number;
  /** Samples for a (series, instant) already stored: ignored. */
  duplicates: number;
  /** NaN or ±Infinity values: SQLite cannot store them as REAL NOT NULL, and they mean "no reading". */
  skipped: number;
}

/**
 * The monitor's metric history in SQLite: raw samples for a short window, per-minute and per-hour
 * min/avg/max roll-ups maintained at ingest for longer ones, and queries served from whichever
 * answers the asked range and step. Every method takes its time from the caller.
 */
export class History {
  readonly options: HistoryOptions;
  private readonly st: Statements;
  private readonly cache: SeriesCache;
  private readonly steps: StepIndex;
  private readonly ingestTx: (batches: Iterable<SampleBatch>) => IngestResult;

  constructor(store: { sqlite: Sqlite }, options: Partial<HistoryOptions> = {}) {
    this.options = historyOptions(options);
    this.st = prepareStatements(store.sqlite);
    this.cache = new SeriesCache(this.st);
    this.steps = new StepIndex(this.st);
    this.ingestTx = store.sqlite.transaction((batches: Iterable<SampleBatch>) => this.write(batches));
  }

  /** Stores the samples taken at `at`, in one transaction. */
  ingest(samples: readonly Sample[], at: Date): IngestResult {
    return this.ingestMany([{ samples, at }]);
  }

  /** Stores many instants in one transaction, each roll-up bucket written once: for bulk loads. */
  ingestMany(batches: Iterable<SampleBatch>): IngestResult {
    try {
      const result = this.ingestTx(batches);
      this.cache.commit();
      return result;
    } catch (err) {
      this.cache.rollback();
      throw err;
    }
  }

  private write(batches: Iterable<SampleBatch>): IngestResult {
    const result: IngestResult = { inserted: 0, duplicates: 0, skipped: 0 };
    const perMinute = new BucketAggregator(MINUTE_MS);
    const perHour = new BucketAggregator(HOUR_MS);
    const histograms = { "1h": new Map<number, Bins>(), "1d": new Map<number, Bins>() };
    const insert = this.st.insertSample;
    for (const { samples, at } of batches) {
      const ts = at.getTime();
      if (Number.isNaN(ts)) throw new RangeError("history ingest: `at` is an invalid Date; nothing of this call was stored");
      for (const s of samples) {
        if (!Number.isFinite(s.value)) {
          result.skipped += 1;
          continue;
        }
        const id = this.cache.idFor(s.metric, s.labels);
        // Roll-ups count exactly the rows the raw table accepted, so they agree with it.
        if (insert.run(ts, id, s.value).changes === 0) {
          result.duplicates += 1;
          continue;
        }
        result.inserted += 1;
        perMinute.add(id, ts, s.value);
        perHour.add(id, ts, s.value);
        if (DISTRIBUTION_METRICS.has(s.metric)) {
          for (const [width, map] of [
            [HOUR_MS, histograms["1h"]],
            [DAY_MS, histograms["1d"]],
          ] as const) {
            const key = rollupKey(id, ts - (ts % width), width);
            const bins = map.get(key) ?? new Map();
            addTo(bins, s.value);
            map.set(key, bins);
          }
        }
      }
    }
    for (const width of ["1h", "1d"] as const) {
      const st = this.st.histogram[width];
      for (const [key, bins] of histograms[width]) {
        const stored = st.get.get(key) as string | undefined;
        if (stored !== undefined) mergeInto(bins, decodeBins(stored));
        st.put.run(key, encodeBins(bins));
      }
    }
    for (const [id, bucket, a] of perMinute.entries()) this.st.upsert1m.run(rollupKey(id, bucket, MINUTE_MS), a.min, a.max, a.sum, a.count);
    for (const [id, bucket, a] of perHour.entries()) this.st.upsert1h.run(rollupKey(id, bucket, HOUR_MS), a.min, a.max, a.sum, a.count);
    return result;
  }

  /** Deletes raw samples and roll-ups past their windows, in short chunks. */
  compact(now: Date): Promise<CompactResult> {
    return compact(this.st, this.cache, now, this.options);
  }

  /** A metric's series over a range, at the asked step or one giving about `targetPoints` points. */
  query(q: z.infer<typeof HistoryQuery>, host: string, now: Date): HistoryReply {
    const matching = this.matching(q.metric, q.labels);
    const plan = planQuery(q, now, this.options, matching.length);
    return {
      host,
      metric: q.metric,
      from: new Date(plan.fromMs).toISOString(),
      to: new Date(plan.toMs).toISOString(),
      stepSec: plan.stepMs / 1000,
      source: plan.source,
      series:
        plan.source === "raw"
          ? rawPoints(this.st, matching, plan)
          : rollupPoints(this.st, this.steps, matching, { ...plan, source: plan.source }),
    };
  }

  /** Every check's availability, response-time percentiles and daily bars (uptime.ts). */
  uptime(q: UptimeInput): CheckUptime[] {
    return computeUptime(this.st, this.cache.all(), this.options, q);
  }

  /** The series kept, optionally those whose metric starts with `prefix`. */
  series(q: z.infer<typeof SeriesQuery>, host: string): z.infer<typeof SeriesReply> {
    const prefix = q.prefix ?? "";
    return {
      host,
      series: this.cache
        .all()
        .filter((s) => s.metric.startsWith(prefix))
        .map((s) => ({ metric: s.metric, labels: s.labels })),
    };
  }

  private matching(metric: string, labels: Record<string, string> = {}): SeriesEntry[] {
    const wanted = Object.entries(labels);
    return this.cache.all().filter((s) => s.metric === metric && wanted.every(([k, v]) => s.labels[k] === v));
  }
}
