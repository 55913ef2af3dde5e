import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { DAY_MS } from "./buckets.ts";
import type { HistoryOptions } from "./options.ts";
import { sourceResolutionMs, type Source } from "./plan.ts";
import { rollupKeyRange, seriesKeyRange } from "./rollup-key.ts";
import type { SeriesCache } from "./series-cache.ts";
import type { Statements } from "./statements.ts";

export interface CompactResult {
  /** Rows deleted per source. */
  deleted: Record<Source, number>;
  /** Series left with no data at all, removed from the series list. */
  seriesRemoved: number;
}

/** Rows (raw ts, or bucket start) strictly older than these are past their window. */
export function retentionCutoffs(now: Date, opts: HistoryOptions): Record<Source, number> {
  const t = now.getTime();
  return { raw: t - opts.rawRetentionMs, "1m": t - opts.rollup1mRetentionMs, "1h": t - opts.rollup1hRetentionMs };
}

/**
 * Deletes what is past each window in chunks of `compactChunkRows`: raw samples oldest first,
 * roll-ups series by series. Each chunk is its own short write transaction and the event loop
 * gets a turn after it, so ingest, queries and the NATS client wait for one chunk at most, even
 * on a first compaction of months of data.
 */
export async function compact(st: Statements, cache: SeriesCache, now: Date, opts: HistoryOptions): Promise<CompactResult> {
  const cutoffs = retentionCutoffs(now, opts);
  const deleted: Record<Source, number> = { raw: 0, "1m": 0, "1h": 0 };
  const chunk = opts.compactChunkRows;
  deleted.raw = await deleteInChunks(() => st.deleteChunk.raw.run({ cutoff: cutoffs.raw, chunk }).changes, chunk);
  for (const source of ["1m", "1h"] as const) {
    for (const { id } of cache.all()) {
      const range = rollupKeyRange(id, 0, cutoffs[source], sourceResolutionMs[source]);
      deleted[source] += await deleteInChunks(() => st.deleteChunk[source].run({ ...range, chunk }).changes, chunk);
      // Histograms go with the hourly roll-ups (and are counted with them): hours, and days that started before the cutoff.
      if (source === "1h") {
        const days = rollupKeyRange(id, 0, cutoffs[source], DAY_MS);
        deleted[source] += await deleteInChunks(() => st.deleteChunk.histogram1h.run({ ...range, chunk }).changes, chunk);
        deleted[source] += await deleteInChunks(() => st.deleteChunk.histogram1d.run({ ...days, chunk }).changes, chunk);
      }
    }
  }
  return { deleted, seriesRemoved: removeEmptySeries(st, cache) };
}

async function deleteInChunks(deleteChunk: () => number, chunk: number): Promise<number> {
  let total = 0;
  for (;;) {
    const n = deleteChunk();
    total += n;
    if (n === 0) return total;
    await yieldToEventLoop();
    if (n < chunk) return total;
  }
}

/**
 * Synchronous, so no ingest can add a sample to a series between the check and the delete. Raw
 * samples are looked at last: their key starts with ts, so that check reads the whole table, and
 * it is reached only for a series with no roll-up left, whose raw samples are long gone.
 */
function removeEmptySeries(st: Statements, cache: SeriesCache): number {
  let removed = 0;
  for (const s of cache.all()) {
    if (st.hasData.get({ id: s.id, ...seriesKeyRange(s.id) })) continue;
    st.deleteSeries.run(s.id);
    cache.remove(s.key);
    removed += 1;
  }
  return removed;
}
