import { HistoryReply, SeriesReply } from "@lag/contracts";
import { afterEach, describe, expect, it } from "vitest";
import { HOUR_MS, MINUTE_MS } from "./buckets.ts";
import { tempHistory, type TempHistory } from "./temp-history.fixture.ts";
import { generateBatches, randomChunks } from "./generated.fixture.ts";
import { brutePoints, close, flatten } from "./oracle.fixture.ts";

const now = new Date("2026-11-23T06:00:00.000Z");
const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * MINUTE_MS);
const disk = (mount: string, role: string, value: number) => ({ metric: "fs.used_pct", labels: { role, mount }, value });

let t: TempHistory | undefined;
afterEach(() => t?.dispose());

function rawCount(): number {
  return t!.store.sqlite.prepare("SELECT count(*) FROM samples").pluck().get() as number;
}

describe("History", () => {
  it("answers a query for a metric it has never seen with no series", () => {
    t = tempHistory();
    t.history.ingest([disk("/", "root", 40)], at(1));
    const reply = t.history.query({ metric: "no.such_metric" }, "kronos", now);
    expect(reply).toMatchObject({ host: "kronos", metric: "no.such_metric", source: "raw", stepSec: 10, series: [] });
    expect(HistoryReply.parse(reply)).toEqual(reply);
  });

  it("returns replies that satisfy the service contract, oldest point first", () => {
    t = tempHistory();
    for (let m = 50; m >= 0; m -= 1) t.history.ingest([disk("/", "root", m)], at(m));
    const reply = t.history.query({ metric: "fs.used_pct", stepSec: 600 }, "nas", now);
    expect(HistoryReply.parse(reply)).toEqual(reply);
    const points = reply.series[0]!.points;
    expect(points.map((p) => p[0])).toEqual([...points.map((p) => p[0])].sort((a, b) => a - b));
    expect(points.at(-1)).toEqual([now.getTime(), 0, 0, 0]);
  });

  it("filters series by labels, and a filter matching nothing gives no series", () => {
    t = tempHistory();
    t.history.ingest([disk("/", "root", 40), disk("/mnt/storage", "storage", 75), disk("/mnt/backup", "backup", 20)], at(1));
    const q = (labels: Record<string, string>) => t!.history.query({ metric: "fs.used_pct", labels, stepSec: 60 }, "kronos", now);
    expect(q({ role: "storage" }).series).toEqual([
      { labels: { mount: "/mnt/storage", role: "storage" }, points: [[at(1).getTime(), 75, 75, 75]] },
    ]);
    expect(q({ role: "storage", mount: "/" }).series).toEqual([]);
    expect(q({}).series).toHaveLength(3);
  });

  it("lists its series, sorted, optionally by metric prefix", () => {
    t = tempHistory();
    t.history.ingest([{ metric: "load.1", labels: {}, value: 1 }, disk("/mnt/storage", "storage", 75), disk("/", "root", 40)], at(1));
    const all = t.history.series({}, "kronos");
    expect(SeriesReply.parse(all)).toEqual(all);
    expect(all.series.map((s) => s.metric)).toEqual(["fs.used_pct", "fs.used_pct", "load.1"]);
    expect(t.history.series({ prefix: "fs." }, "kronos").series).toEqual([
      { metric: "fs.used_pct", labels: { mount: "/", role: "root" } },
      { metric: "fs.used_pct", labels: { mount: "/mnt/storage", role: "storage" } },
    ]);
  });

  it("keeps the first value for a repeated (series, instant) and counts it once in the roll-ups", () => {
    t = tempHistory();
    expect(t.history.ingest([disk("/", "root", 40)], at(1))).toEqual({ inserted: 1, duplicates: 0, skipped: 0 });
    expect(t.history.ingest([disk("/", "root", 99), disk("/", "root", 98)], at(1))).toEqual({ inserted: 0, duplicates: 2, skipped: 0 });
    const reply = t.history.query({ metric: "fs.used_pct", stepSec: 60 }, "kronos", now);
    expect(reply.series[0]!.points).toEqual([[at(1).getTime(), 40, 40, 40]]);
    const counts = t.store.sqlite.prepare("SELECT (SELECT sum(count) FROM rollup_1m), (SELECT sum(count) FROM rollup_1h)").raw().get();
    expect(counts).toEqual([1, 1]);
  });

  it("stores roll-up keys as integers that decode back to series and bucket", () => {
    t = tempHistory();
    t.history.ingest([disk("/", "root", 40)], new Date(now.getTime() - 90_000));
    const row = t.store.sqlite
      .prepare("SELECT typeof(r.series_bucket), r.bucket, s.key FROM rollup_1m r JOIN series s ON s.id = r.series_id")
      .raw()
      .get();
    expect(row).toEqual(["integer", now.getTime() - 2 * MINUTE_MS, "fs.used_pct{mount=/,role=root}"]);
  });

  it("skips NaN and infinite values and stores the rest", () => {
    t = tempHistory();
    const r = t.history.ingest([disk("/", "root", Number.NaN), disk("/a", "a", Infinity), disk("/b", "b", 3)], at(1));
    expect(r).toEqual({ inserted: 1, duplicates: 0, skipped: 2 });
    expect(rawCount()).toBe(1);
  });

  it("stores nothing of a call that fails midway, and forgets the series it had created", () => {
    t = tempHistory();
    expect(() =>
      t!.history.ingestMany([
        { samples: [{ metric: "new.metric", labels: {}, value: 1 }], at: at(2) },
        { samples: [{ metric: "new.metric", labels: {}, value: 2 }], at: new Date(Number.NaN) },
      ]),
    ).toThrow(/invalid Date/);
    expect(rawCount()).toBe(0);
    expect(t.history.series({}, "kronos").series).toEqual([]);
    t.history.ingest([{ metric: "new.metric", labels: {}, value: 7 }], at(1));
    expect(t.history.query({ metric: "new.metric", stepSec: 60 }, "kronos", now).series[0]!.points).toEqual([[at(1).getTime(), 7, 7, 7]]);
  });

  it("keeps its data across close and reopen, and goes on filling the same buckets", () => {
    const start = now.getTime() - 6 * HOUR_MS;
    const batches = generateBatches({ seed: 5, startMs: start, endMs: now.getTime(), minGapMs: 2_000, maxGapMs: 20_000 });
    const [first, second] = [batches.slice(0, batches.length / 2), batches.slice(batches.length / 2)];
    t = tempHistory();
    for (const chunk of randomChunks(first, 30, 1)) t.history.ingestMany(chunk);
    const seriesBefore = t.history.series({}, "kronos");
    t.reopen();
    expect(t.history.series({}, "kronos")).toEqual(seriesBefore);
    for (const chunk of randomChunks(second, 30, 2)) t.history.ingestMany(chunk);
    // No series row was created twice: ids came back from the file.
    expect(t.store.sqlite.prepare("SELECT count(*) FROM series").pluck().get()).toBe(seriesBefore.series.length);

    const flat = flatten(batches);
    for (const stepSec of [30, 300, 3600]) {
      const reply = t.history.query({ metric: "container.cpu_pct", from: new Date(start).toISOString(), stepSec }, "kronos", now);
      expect(reply.series).toHaveLength(2);
      for (const s of reply.series) {
        const key = `container.cpu_pct{container=${s.labels.container}}`;
        const want = brutePoints(flat, key, reply.stepSec * 1000, Date.parse(reply.from), Date.parse(reply.to));
        expect(s.points.map((p) => [p[0], p[1], p[3]])).toEqual(want.map((p) => [p[0], p[1], p[3]]));
        s.points.forEach((p, i) => expect(close(p[2], want[i]![2], Math.max(Math.abs(p[1]), Math.abs(p[3])))).toBe(true));
      }
    }
  });
});
