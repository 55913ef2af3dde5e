import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seriesKey } from "../samples.ts";
import { HOUR_MS, MINUTE_MS } from "./buckets.ts";
import { tempHistory, type TempHistory } from "./temp-history.fixture.ts";
import { generateBatches, generatedSeries, randomChunks } from "./generated.fixture.ts";
import type { SampleBatch } from "./history.ts";
import { bruteBuckets, brutePoints, close, flatten, type FlatSample } from "./oracle.fixture.ts";

// Three days of irregular instants (1–25 s apart, ms precision), ending at `now`.
const start = Date.UTC(2026, 10, 20, 3, 17, 23, 456);
const now = new Date(start + 3 * 24 * HOUR_MS);
const batches = generateBatches({ seed: 42, startMs: start, endMs: now.getTime(), minGapMs: 1_000, maxGapMs: 25_000 });
const flat = flatten(batches);
// Each series' samples apart, so that every query's brute force does not filter them all again.
const byKey = new Map<string, FlatSample[]>();
for (const s of flat) {
  if (!byKey.has(s.key)) byKey.set(s.key, []);
  byKey.get(s.key)!.push(s);
}

let t: TempHistory;

beforeAll(() => {
  t = tempHistory();
  // Calls of 1..40 instants, every fifth group written one instant per call through ingest().
  randomChunks(batches, 40, 7).forEach((chunk: SampleBatch[], i) => {
    if (i % 5 === 0) for (const b of chunk) t.history.ingest(b.samples, b.at);
    else t.history.ingestMany(chunk);
  });
});
afterAll(() => t.dispose());

interface RollupRow {
  key: string;
  bucket: number;
  min: number;
  max: number;
  sum: number;
  count: number;
}

function rollupRows(table: "rollup_1m" | "rollup_1h"): RollupRow[] {
  return t.store.sqlite
    .prepare(`SELECT s.key, r.bucket, r.min, r.max, r.sum, r.count FROM ${table} r JOIN series s ON s.id = r.series_id`)
    .all() as RollupRow[];
}

function expectBucketsMatch(table: "rollup_1m" | "rollup_1h", width: number): void {
  const expected = bruteBuckets(flat, width);
  const rows = rollupRows(table);
  expect(rows.length).toBe([...expected.values()].reduce((n, m) => n + m.size, 0));
  for (const r of rows) {
    const e = expected.get(r.key)?.get(r.bucket);
    expect(e, `${table} ${r.key} @ ${new Date(r.bucket).toISOString()}`).toBeDefined();
    expect([r.count, r.min, r.max]).toEqual([e!.count, e!.min, e!.max]);
    const scale = e!.count * Math.max(Math.abs(e!.min), Math.abs(e!.max));
    expect(close(r.sum, e!.sum, scale), `${r.key} sum ${r.sum} vs ${e!.sum}`).toBe(true);
  }
}

describe("history roll-ups against a brute-force computation", () => {
  it("generated enough data to mean something: every series, > 100 k samples, many calls per bucket", () => {
    expect(flat.length).toBeGreaterThan(100_000);
    expect(new Set(flat.map((s) => s.key)).size).toBe(generatedSeries.length);
    const raw = t.store.sqlite.prepare("SELECT count(*) FROM samples").pluck().get();
    expect(raw).toBe(flat.length);
  });

  it("has every 1-minute bucket exact (min, max, count; sum within 1e-9)", () => {
    expectBucketsMatch("rollup_1m", MINUTE_MS);
  });

  it("has every 1-hour bucket exact", () => {
    expectBucketsMatch("rollup_1h", HOUR_MS);
  });
});

const H = HOUR_MS;
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();

const queries = [
  { name: "raw, 10 s over the last 6 h", q: { from: ago(6 * H), stepSec: 10 }, source: "raw" },
  { name: "raw, default step over the last hour", q: {}, source: "raw" },
  { name: "raw, odd 7 s step, an older slice of the raw window", q: { from: ago(47 * H), to: ago(40 * H), stepSec: 7 }, source: "raw" },
  { name: "1m as stored, all three days", q: { from: ago(72 * H), stepSec: 60 }, source: "1m" },
  { name: "1m re-bucketed to 5 min", q: { from: ago(72 * H), stepSec: 300 }, source: "1m" },
  { name: "1m, 90 s rounded to 2 min", q: { from: ago(30 * H), to: ago(2 * H), stepSec: 90 }, source: "1m" },
  { name: "1m, a 30 s step reaching past the raw window", q: { from: ago(60 * H), stepSec: 30 }, source: "1m" },
  { name: "1m, default step over three days", q: { from: ago(72 * H) }, source: "1m" },
  { name: "1h as stored", q: { from: ago(72 * H), stepSec: 3600 }, source: "1h" },
  { name: "1h re-bucketed to 2 h", q: { from: ago(72 * H), stepSec: 7200 }, source: "1h" },
  { name: "1h re-bucketed to a day", q: { from: ago(72 * H), to: now.toISOString(), stepSec: 86_400 }, source: "1h" },
] as const;

describe("history queries against a brute-force computation", () => {
  for (const { name, q, source } of queries) {
    for (const metric of ["fs.used_pct", "container.cpu_pct", "cpu.usage_pct"]) {
      it(`answers ${metric}: ${name}`, () => {
        const reply = t.history.query({ metric, ...q }, "kronos", now);
        expect(reply.source).toBe(source);
        const want = generatedSeries.filter((s) => s.metric === metric);
        expect(reply.series.map((s) => s.labels)).toEqual(expect.arrayContaining(want.map((s) => s.labels)));
        expect(reply.series).toHaveLength(want.length);
        let points = 0;
        for (const s of reply.series) {
          const key = seriesKey(metric, s.labels);
          const expected = brutePoints(byKey.get(key) ?? [], key, reply.stepSec * 1000, Date.parse(reply.from), Date.parse(reply.to));
          expectPointsMatch(s.points, expected, key);
          points += s.points.length;
        }
        expect(points).toBeGreaterThan(0);
      });
    }
  }

  it("returns only the series whose labels include the filter", () => {
    const reply = t.history.query({ metric: "fs.used_pct", labels: { role: "storage" }, from: ago(24 * H), stepSec: 600 }, "kronos", now);
    expect(reply.series.map((s) => s.labels)).toEqual([{ mount: "/mnt/storage", role: "storage" }]);
    const key = seriesKey("fs.used_pct", { mount: "/mnt/storage", role: "storage" });
    expectPointsMatch(reply.series[0]!.points, brutePoints(flat, key, 600_000, Date.parse(reply.from), Date.parse(reply.to)), key);
  });
});

function expectPointsMatch(got: readonly (readonly number[])[], want: readonly number[][], key: string): void {
  expect(got.map((p) => p[0])).toEqual(want.map((p) => p[0]));
  got.forEach((p, i) => {
    const w = want[i]!;
    expect([p[1], p[3]], `${key} @ ${new Date(p[0]!).toISOString()} min/max`).toEqual([w[1], w[3]]);
    const scale = Math.max(Math.abs(w[1]!), Math.abs(w[3]!));
    expect(close(p[2]!, w[2]!, scale), `${key} @ ${new Date(p[0]!).toISOString()} avg ${p[2]} vs ${w[2]}`).toBe(true);
  });
}
