import type { Store } from "@lag/store";
import type * as schema from "./schema.ts";

export type Sqlite = Store<typeof schema>["sqlite"];

/*
 * The hot paths (ingest, query, retention) run as prepared better-sqlite3 statements rather than
 * through drizzle's builder: at 100 k+ rows/s the builder's per-row mapping is the cost. Table and
 * column names are those of schema.ts; a drift fails here at prepare time, when History opens.
 *
 * better-sqlite3 binds every JS number as REAL, so `bucket / @step` would be a float division:
 * buckets are computed as `t - t % @step` (`%` casts both sides to INTEGER).
 */

function upsertRollup(db: Sqlite, table: string) {
  // Merging two aggregates is exact for min, max and count; sum is a float addition.
  return db.prepare(
    `INSERT INTO ${table} (series_bucket, min, max, sum, count) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (series_bucket) DO UPDATE SET
       min = min(min, excluded.min), max = max(max, excluded.max),
       sum = sum + excluded.sum, count = count + excluded.count`,
  );
}

/** Rows are `[bucket ms, min, avg, max]`, the reply's point tuple, read with `.raw()`. */
function rollupPoints(db: Sqlite, table: string) {
  return {
    // The step is the roll-up's own width: its rows are the points, in key order. @lo/@hi bound
    // one series' keys (rollup-key.ts): a range read of the table's own b-tree.
    direct: db
      .prepare(
        `SELECT bucket, min, sum / count, max FROM ${table} WHERE series_bucket >= @lo AND series_bucket < @hi ORDER BY series_bucket`,
      )
      .raw(true),
    // Step i covers the keys [@base + i·@per, @base + (i+1)·@per): @per buckets of the roll-up.
    // Steps without rows find nothing to join and are left out, as the reply wants.
    stepped: db
      .prepare(
        `SELECT @from + s.i * @step, min(r.min), total(r.sum) / total(r.count), max(r.max)
         FROM step_index s JOIN ${table} r ON r.series_bucket >= @base + s.i * @per AND r.series_bucket < @base + (s.i + 1) * @per
         WHERE s.i < @steps GROUP BY s.i ORDER BY s.i`,
      )
      .raw(true),
  };
}

/**
 * Deletes at most @chunk rows, found through the primary key: raw samples older than @cutoff,
 * oldest first across all series (the key starts with ts); roll-ups one series at a time, keys
 * in [@lo, @hi) (their key starts with the series, and `bucket < x` alone would read the table).
 */
function deleteChunk(db: Sqlite, table: string, where: string) {
  return db.prepare(`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE ${where} LIMIT @chunk)`);
}

function histogramStatements(db: Sqlite, table: string) {
  return {
    get: db.prepare(`SELECT bins FROM ${table} WHERE series_bucket = ?`).pluck(),
    put: db.prepare(
      `INSERT INTO ${table} (series_bucket, bins) VALUES (?, ?) ON CONFLICT (series_bucket) DO UPDATE SET bins = excluded.bins`,
    ),
    /** `[series_bucket, bins]` in key range [@lo, @hi). */
    range: db.prepare(`SELECT series_bucket, bins FROM ${table} WHERE series_bucket >= @lo AND series_bucket < @hi`).raw(true),
  };
}

export function prepareStatements(db: Sqlite) {
  return {
    allSeries: db.prepare("SELECT id, metric, labels, key FROM series"),
    // An upsert rather than a plain insert so that a series written by another handle is reused.
    insertSeries: db.prepare(
      "INSERT INTO series (metric, labels, key) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET metric = excluded.metric RETURNING id",
    ),
    // A second sample for the same series and instant is ignored, and so not counted in roll-ups.
    insertSample: db.prepare("INSERT INTO samples (ts, series_id, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"),
    upsert1m: upsertRollup(db, "rollup_1m"),
    upsert1h: upsertRollup(db, "rollup_1h"),
    /**
     * Raw points of several series in one pass over the time range (the key is time-major, so
     * one query per series would read the range once per series). `@ids` is a JSON array.
     */
    rawPoints: db
      .prepare(
        `SELECT series_id, ts - ts % @step AS b, min(value), total(value) / count(*), max(value) FROM samples
         WHERE ts >= @from AND ts < @to AND series_id IN (SELECT value FROM json_each(@ids))
         GROUP BY series_id, b ORDER BY series_id, b`,
      )
      .raw(true),
    rollupPoints: { "1m": rollupPoints(db, "rollup_1m"), "1h": rollupPoints(db, "rollup_1h") },
    /** `[Σ sum, Σ count, buckets]` of one series' buckets in key range [@lo, @hi): what availability is summed from. */
    rollupSums: {
      "1m": db
        .prepare("SELECT total(sum), total(count), count(*) FROM rollup_1m WHERE series_bucket >= @lo AND series_bucket < @hi")
        .raw(true),
      "1h": db
        .prepare("SELECT total(sum), total(count), count(*) FROM rollup_1h WHERE series_bucket >= @lo AND series_bucket < @hi")
        .raw(true),
    },
    /** Hourly and daily histograms (histogram.ts): one row read and written back per bucket an ingest touched. */
    histogram: { "1h": histogramStatements(db, "histogram_1h"), "1d": histogramStatements(db, "histogram_1d") },
    deleteChunk: {
      raw: deleteChunk(db, "samples", "ts < @cutoff ORDER BY ts"),
      "1m": deleteChunk(db, "rollup_1m", "series_bucket >= @lo AND series_bucket < @hi"),
      "1h": deleteChunk(db, "rollup_1h", "series_bucket >= @lo AND series_bucket < @hi"),
      histogram1h: deleteChunk(db, "histogram_1h", "series_bucket >= @lo AND series_bucket < @hi"),
      histogram1d: deleteChunk(db, "histogram_1d", "series_bucket >= @lo AND series_bucket < @hi"),
    },
    hasData: db
      .prepare(
        `SELECT EXISTS (SELECT 1 FROM rollup_1h WHERE series_bucket >= @lo AND series_bucket < @hi)
             OR EXISTS (SELECT 1 FROM histogram_1h WHERE series_bucket >= @lo AND series_bucket < @hi)
             OR EXISTS (SELECT 1 FROM histogram_1d WHERE series_bucket >= @lo AND series_bucket < @hi)
             OR EXISTS (SELECT 1 FROM rollup_1m WHERE series_bucket >= @lo AND series_bucket < @hi)
             OR EXISTS (SELECT 1 FROM samples WHERE series_id = @id) AS present`,
      )
      .pluck(),
    deleteSeries: db.prepare("DELETE FROM series WHERE id = ?"),
    stepRows: db.prepare("SELECT count(*) FROM step_index").pluck(),
    addSteps: db.prepare(
      `INSERT OR IGNORE INTO step_index (i)
       WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < @count) SELECT i FROM n`,
    ),
  };
}

export type Statements = ReturnType<typeof prepareStatements>;
