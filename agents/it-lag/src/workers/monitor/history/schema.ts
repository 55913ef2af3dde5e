import { sql } from "drizzle-orm";
import { integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { HOUR_MS, MINUTE_MS } from "./buckets.ts";

/*
 * The monitor's metric history. Samples and roll-ups name their series by a small integer id, so
 * a row is (id, time, numbers) and the metric/labels text is stored once per series.
 *
 * Drizzle (orm 0.45, kit 0.31) cannot declare WITHOUT ROWID tables, and migrations here are only
 * generated, never hand-edited. So these are ordinary rowid tables: rows sit in insertion order
 * (time order) and the composite primary key is a second b-tree beside them. The key order of
 * each table follows from that (figures in bench/README.md, "bench/monitor"):
 *
 * - raw samples are keyed (ts, series_id): written every round for every series and deleted
 *   oldest-first after 48 h, a time-major key makes each ingest an append at the end of one b-tree
 *   and each retention pass a cut at its start. Keyed (series_id, ts), a round dirtied one index
 *   page per series and ingest ran 2–4× slower. Raw data only answers sub-minute steps over at
 *   most the raw window, where scanning every series' rows of the range costs about what a
 *   per-series index lookup into a time-ordered rowid table costs anyway.
 * - roll-ups are keyed by series then bucket: they answer the long queries (a week, a year) for
 *   one metric, which must not read every other series' buckets. See below for how.
 */

/** One series: a metric plus its labels. `key` is `seriesKey(metric, labels)` (labels sorted). */
export const series = sqliteTable("series", {
  id: integer("id").primaryKey(),
  metric: text("metric").notNull(),
  labels: text("labels", { mode: "json" }).$type<Record<string, string>>().notNull(),
  key: text("key").notNull().unique(),
});

/** Raw samples, kept for the raw window (48 h by default). One value per series and instant. */
export const samples = sqliteTable(
  "samples",
  {
    seriesId: integer("series_id").notNull(),
    /** Unix ms. */
    ts: integer("ts").notNull(),
    value: real("value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.ts, t.seriesId] })],
);

/*
 * Roll-ups keep sum and count rather than an average so that buckets can be merged exactly (at
 * ingest, and when a query re-buckets them to a coarser step).
 *
 * Their primary key (series_id, bucket) is packed into the INTEGER PRIMARY KEY, which is the
 * rowid: `key = series_id × 2^32 + bucket / width`. The table itself is then the b-tree ordered by
 * series and time — what WITHOUT ROWID would give — so a week of one series is one contiguous
 * range read, not 10,080 lookups from a separate index into a table stored in arrival order
 * (several times faster to scan, one b-tree less to write: bench/README.md, "bench/monitor"). series_id
 * and bucket remain readable as virtual columns computed from the key. rollup-key.ts computes keys.
 */

function rollupTable<N extends string>(name: N, widthMs: number) {
  return sqliteTable(name, {
    /** series_id × 2^32 + bucket / width (see above). */
    seriesBucket: integer("series_bucket").primaryKey(),
    seriesId: integer("series_id").generatedAlwaysAs(sql.raw("series_bucket >> 32"), { mode: "virtual" }),
    /** Unix ms of the bucket's start, aligned to the bucket width (UTC). */
    bucket: integer("bucket").generatedAlwaysAs(sql.raw(`(series_bucket & 4294967295) * ${widthMs}`), { mode: "virtual" }),
    min: real("min").notNull(),
    max: real("max").notNull(),
    sum: real("sum").notNull(),
    count: integer("count").notNull(),
  });
}

/** Per-minute roll-ups, kept 30 days by default. */
export const rollup1m = rollupTable("rollup_1m", MINUTE_MS);

/** Per-hour roll-ups, kept a year by default. */
export const rollup1h = rollupTable("rollup_1h", HOUR_MS);

/**
 * Per-hour and per-day (UTC) histograms of the metrics that need percentiles (response times,
 * histogram.ts), kept as long as the hourly roll-ups and keyed the same way (series × 2^32 +
 * bucket). Days let a year's percentile read 365 rows rather than 8,760; hours are read where a
 * window starts or ends inside a day, or a silence is left out of it.
 */
function histogramTable<N extends string>(name: N) {
  return sqliteTable(name, {
    seriesBucket: integer("series_bucket").primaryKey(),
    /** `{ "bin": count }` as JSON (histogram.ts). */
    bins: text("bins").notNull(),
  });
}

export const histogram1h = histogramTable("histogram_1h");
export const histogram1d = histogramTable("histogram_1d");

/**
 * 0, 1, 2, …: one row per step of a reply, filled on demand by History. Re-bucketing joins the
 * roll-ups to it, step i to the keys of its buckets, and groups by `i`: the outer loop then runs in
 * key order and SQLite aggregates step after step without sorting every row first, as a GROUP BY
 * on a computed bucket does (bench/README.md, "bench/monitor").
 */
export const stepIndex = sqliteTable("step_index", { i: integer("i").primaryKey() });
