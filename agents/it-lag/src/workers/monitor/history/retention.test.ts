import { afterEach, describe, expect, it } from "vitest";
import { HOUR_MS, MINUTE_MS } from "./buckets.ts";
import { tempHistory, type TempHistory } from "./temp-history.fixture.ts";
import { generateBatches } from "./generated.fixture.ts";
import type { SampleBatch } from "./history.ts";
import { defaultHistoryOptions, historyOptions } from "./options.ts";
import { bruteBuckets, flatten } from "./oracle.fixture.ts";
import { retentionCutoffs } from "./retention.ts";

const D = 24 * HOUR_MS;
let t: TempHistory | undefined;
afterEach(() => t?.dispose());

function keysAndTimes(table: "samples" | "rollup_1m" | "rollup_1h"): string[] {
  const col = table === "samples" ? "ts" : "bucket";
  const rows = t!.store.sqlite.prepare(`SELECT s.key, r.${col} AS t FROM ${table} r JOIN series s ON s.id = r.series_id`).all() as {
    key: string;
    t: number;
  }[];
  return rows.map((r) => `${r.key}@${r.t}`).sort();
}

function expectedKeysAndTimes(batches: SampleBatch[], width: number | undefined, cutoff: number): string[] {
  const flat = flatten(batches);
  if (width === undefined)
    return flat
      .filter((s) => s.ts >= cutoff)
      .map((s) => `${s.key}@${s.ts}`)
      .sort();
  const out: string[] = [];
  for (const [key, buckets] of bruteBuckets(flat, width)) for (const b of buckets.keys()) if (b >= cutoff) out.push(`${key}@${b}`);
  return out.sort();
}

function count(table: string): number {
  return t!.store.sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
}

describe("history retention", () => {
  // Short windows so five days of data cross all three; `now` on an hour so buckets meet the cutoffs.
  const options = { rawRetentionMs: 2 * HOUR_MS, rollup1mRetentionMs: D, rollup1hRetentionMs: 3 * D, compactChunkRows: 7 };
  const now = new Date(Date.UTC(2026, 10, 23, 6));
  const cutoffs = retentionCutoffs(now, historyOptions(options));

  function load(): SampleBatch[] {
    const batches = generateBatches({
      seed: 9,
      startMs: now.getTime() - 5 * D + 13,
      endMs: now.getTime(),
      minGapMs: 60_000,
      maxGapMs: 180_000,
    });
    // Instants on both sides of the raw cutoff, and a series that only has old data.
    const edge = { metric: "edge.value", labels: { side: "both" } };
    batches.push({ samples: [{ ...edge, value: 1 }], at: new Date(cutoffs.raw - 1) });
    batches.push({ samples: [{ ...edge, value: 2 }], at: new Date(cutoffs.raw) });
    for (const c of [cutoffs["1m"], cutoffs["1h"]]) {
      batches.push({ samples: [{ ...edge, value: 5 }], at: new Date(c - 5_000) });
      batches.push({ samples: [{ ...edge, value: 6 }], at: new Date(c + 5_000) });
    }
    batches.push({ samples: [{ metric: "gone.metric", labels: {}, value: 3 }], at: new Date(now.getTime() - 4 * D) });
    batches.sort((a, b) => a.at.getTime() - b.at.getTime());
    t = tempHistory(options);
    t.history.ingestMany(batches);
    return batches;
  }

  it("deletes exactly the rows past each window and keeps every other row", async () => {
    const batches = load();
    const before = { raw: count("samples"), "1m": count("rollup_1m"), "1h": count("rollup_1h") };
    const result = await t!.history.compact(now);

    const kept = {
      raw: expectedKeysAndTimes(batches, undefined, cutoffs.raw),
      "1m": expectedKeysAndTimes(batches, MINUTE_MS, cutoffs["1m"]),
      "1h": expectedKeysAndTimes(batches, HOUR_MS, cutoffs["1h"]),
    };
    expect(keysAndTimes("samples")).toEqual(kept.raw);
    expect(keysAndTimes("rollup_1m")).toEqual(kept["1m"]);
    expect(keysAndTimes("rollup_1h")).toEqual(kept["1h"]);
    expect(result.deleted).toEqual({
      raw: before.raw - kept.raw.length,
      "1m": before["1m"] - kept["1m"].length,
      "1h": before["1h"] - kept["1h"].length,
    });
    // Non-vacuous: every window had something to delete and something to keep, in many chunks.
    for (const s of ["raw", "1m", "1h"] as const) {
      expect(result.deleted[s]).toBeGreaterThan(options.compactChunkRows * 10);
      expect(kept[s].length).toBeGreaterThan(0);
    }
    expect(keysAndTimes("samples")).toContain(`edge.value{side=both}@${cutoffs.raw}`);
    expect(keysAndTimes("samples")).not.toContain(`edge.value{side=both}@${cutoffs.raw - 1}`);
  });

  it("keeps the buckets starting exactly at a cutoff and drops the one before", async () => {
    load();
    await t!.history.compact(now);
    const oldest = (table: string) => t!.store.sqlite.prepare(`SELECT min(bucket) FROM ${table}`).pluck().get() as number;
    expect(oldest("rollup_1m")).toBe(cutoffs["1m"]);
    expect(oldest("rollup_1h")).toBe(cutoffs["1h"]);
    const edgeBuckets = keysAndTimes("rollup_1m").filter((k) => k.startsWith("edge.value"));
    expect(edgeBuckets).toContain(`edge.value{side=both}@${cutoffs["1m"]}`);
    expect(edgeBuckets).not.toContain(`edge.value{side=both}@${cutoffs["1m"] - MINUTE_MS}`);
  });

  it("removes a series left with no data, and lists the others", async () => {
    load();
    expect(t!.history.series({ prefix: "gone." }, "kronos").series).toHaveLength(1);
    const result = await t!.history.compact(now);
    expect(result.seriesRemoved).toBe(1);
    expect(t!.history.series({ prefix: "gone." }, "kronos").series).toEqual([]);
    expect(t!.history.series({}, "kronos").series.length).toBeGreaterThan(5);
    // A new sample for that metric starts a fresh series.
    t!.history.ingest([{ metric: "gone.metric", labels: {}, value: 4 }], now);
    expect(t!.history.query({ metric: "gone.metric", stepSec: 10 }, "kronos", now).series[0]?.points).toHaveLength(1);
  });

  it("does nothing the second time", async () => {
    load();
    await t!.history.compact(now);
    const again = await t!.history.compact(now);
    expect(again).toEqual({ deleted: { raw: 0, "1m": 0, "1h": 0 }, seriesRemoved: 0 });
  });

  it("gives the event loop a turn between chunks", async () => {
    load();
    let done = false;
    let turns = 0;
    const tick = () => {
      turns += 1;
      if (!done) setImmediate(tick);
    };
    setImmediate(tick);
    await t!.history.compact(now);
    done = true;
    // Thousands of rows at 7 per chunk: the loop must have run between chunks many times.
    expect(turns).toBeGreaterThan(100);
  });
});

describe("history retention defaults", () => {
  it("keeps raw 48 h, 1-minute roll-ups 30 days and hourly roll-ups 365 days", async () => {
    expect(defaultHistoryOptions).toMatchObject({
      rawRetentionMs: 48 * HOUR_MS,
      rollup1mRetentionMs: 30 * D,
      rollup1hRetentionMs: 365 * D,
    });
    const now = new Date(Date.UTC(2026, 10, 23, 6, 30));
    // 400 days, one instant every 3–9 hours.
    const batches = generateBatches({
      seed: 3,
      startMs: now.getTime() - 400 * D,
      endMs: now.getTime(),
      minGapMs: 3 * HOUR_MS,
      maxGapMs: 9 * HOUR_MS,
    });
    t = tempHistory();
    t.history.ingestMany(batches);
    await t.history.compact(now);
    const n = now.getTime();
    expect(keysAndTimes("samples")).toEqual(expectedKeysAndTimes(batches, undefined, n - 48 * HOUR_MS));
    expect(keysAndTimes("rollup_1m")).toEqual(expectedKeysAndTimes(batches, MINUTE_MS, n - 30 * D));
    expect(keysAndTimes("rollup_1h")).toEqual(expectedKeysAndTimes(batches, HOUR_MS, n - 365 * D));
    expect(count("rollup_1h")).toBeLessThan(flatten(batches).length);
  });
});
