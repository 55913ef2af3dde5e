import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Silence } from "@lag/contracts";
import type { Sample } from "../samples.ts";
import { binOf, binValue } from "./histogram.ts";
import type { SampleBatch } from "./history.ts";
import { lastLocalDays } from "./local-days.ts";
import { tempHistory, type TempHistory } from "./temp-history.fixture.ts";

/*
 * A hand-made history: check `web` probed once a minute from 1 September 00:00 to 1 December 11:59
 * (UTC), up except in four outages, and `now` (the injected clock) 1 December 12:00:
 *
 *   1 Dec 10:00–10:30   30 min   (in 24 h, 7 d, 30 d, 1 y)
 *  28 Nov 00:00–02:00  120 min   (7 d, 30 d, 1 y)
 *  10 Nov 00:00–06:00  360 min   (30 d, 1 y)
 *   1 Oct 00:00–24:00 1440 min   (1 y)
 *
 * Its latency is 10 ms, except in the last 24 h where every 20th probe took 100 ms and one (09:01) 1 s.
 */
const MIN = 60_000;
const now = Date.parse("2026-12-01T12:00:00Z");
const start = Date.parse("2026-09-01T00:00:00Z");
const outages: [string, number][] = [
  ["2026-12-01T10:00:00Z", 30],
  ["2026-11-28T00:00:00Z", 120],
  ["2026-11-10T00:00:00Z", 360],
  ["2026-10-01T00:00:00Z", 1440],
];
const down = (t: number) => outages.some(([at, minutes]) => t >= Date.parse(at) && t < Date.parse(at) + minutes * MIN);
const labels = { check: "web", kind: "http" };

let t: TempHistory;

beforeAll(() => {
  t = tempHistory();
  const batches: SampleBatch[] = [];
  let i = 0;
  for (let ts = start; ts < now; ts += MIN, i++) {
    const recent = ts >= now - 86_400_000;
    const latency = recent && ts === now - 3 * 3_600_000 + MIN ? 1_000 : recent && i % 20 === 0 ? 100 : 10;
    const samples: Sample[] = [
      { metric: "check.up", labels, value: down(ts) ? 0 : 1 },
      { metric: "check.latency_ms", labels, value: latency },
    ];
    batches.push({ samples, at: new Date(ts) });
  }
  t.history.ingestMany(batches);
});
afterAll(() => t.dispose());

const silence = (matchers: Record<string, string>, from: string, minutes: number): Silence => ({
  id: `sil-${from.slice(0, 13).replace(/[^0-9]/g, "")}`,
  matchers,
  startsAt: from,
  endsAt: new Date(Date.parse(from) + minutes * MIN).toISOString(),
  createdBy: "ana",
  note: "upgrade",
  createdAt: from,
  matched: 0,
});

function uptime(opts: { silences?: Silence[]; exclude?: boolean; days?: number } = {}) {
  const [web] = t.history.uptime({
    host: "kronos",
    now,
    days: lastLocalDays(now, opts.days ?? 4, "UTC"),
    silences: opts.silences ?? [],
    exclude: opts.exclude ?? false,
  });
  return web!;
}

describe("uptime from the roll-ups", () => {
  it("availability over 24 h, 7 d, 30 d and 1 y as counted by hand", () => {
    const w = Object.fromEntries(uptime().windows.map((x) => [x.window, x]));
    // 1,410 of 1,440 minutes up; 9,930 of 10,080; 42,690 of 43,200 (from the minute roll-ups).
    expect(w["24h"]).toMatchObject({ availabilityPct: 97.917, measuredSec: 86_400, downSec: 1_800, excludedSec: 0 });
    expect(w["7d"]).toMatchObject({ availabilityPct: 98.512, measuredSec: 604_800, downSec: 9_000 });
    expect(w["30d"]).toMatchObject({ availabilityPct: 98.819, measuredSec: 2_592_000, downSec: 30_600 });
    // The year from the hourly roll-ups: 2,196 hours of history (since 1 September), 1,950 of 131,760 probes down.
    expect(w["1y"]).toMatchObject({ availabilityPct: 98.52, measuredSec: 2_196 * 3_600, downSec: 117_000 });
  });

  it("response-time percentiles from the hourly histograms, within their 4.3 %", () => {
    const day = uptime().windows.find((x) => x.window === "24h")!;
    // 1,367 probes at 10 ms, 72 at 100 ms, one at 1 s: the median is 10, ranks 1,368 (p95) and 1,426 (p99) are 100.
    expect(day.p50Ms).toBe(Math.round(binValue(binOf(10)) * 10) / 10);
    expect(day.p95Ms).toBe(Math.round(binValue(binOf(100)) * 10) / 10);
    expect(day.p99Ms).toBe(day.p95Ms);
    expect(Math.abs(day.p50Ms! - 10) / 10).toBeLessThanOrEqual(0.043);
    expect(Math.abs(day.p95Ms! - 100) / 100).toBeLessThanOrEqual(0.043);
    // Over the year the 100 ms probes are too few to reach the 99th percentile.
    expect(uptime().windows.find((x) => x.window === "1y")!.p99Ms).toBe(day.p50Ms);
  });

  it("one bar per day in the time zone, today so far last", () => {
    expect(uptime().days.map((d) => [d.day, d.availabilityPct, d.downSec])).toEqual([
      ["2026-11-28", 91.667, 7_200],
      ["2026-11-29", 100, 0],
      ["2026-11-30", 100, 0],
      ["2026-12-01", 95.833, 1_800],
    ]);
    // Madrid's 1 December began at 23:00 UTC on 30 November: 780 minutes by noon UTC, 30 of them down.
    const [madrid] = t.history.uptime({ host: "kronos", now, days: lastLocalDays(now, 1, "Europe/Madrid"), silences: [], exclude: false });
    expect(madrid!.days[0]).toMatchObject({ day: "2026-12-01", measuredSec: 780 * 60, downSec: 1_800 });
  });

  it("a silence over the outage is shown, and when excluded its minutes leave the figures", () => {
    const maintenance = silence({ check: "web" }, "2026-12-01T10:00:00Z", 30);
    const other = silence({ host: "nas" }, "2026-12-01T09:00:00Z", 60);
    const shown = uptime({ silences: [maintenance, other] });
    expect(shown.silences.map((s) => s.id)).toEqual([maintenance.id]);
    expect(shown.windows[0]).toMatchObject({ window: "24h", availabilityPct: 97.917 });

    const w = Object.fromEntries(uptime({ silences: [maintenance], exclude: true }).windows.map((x) => [x.window, x]));
    expect(w["24h"]).toMatchObject({ availabilityPct: 100, measuredSec: 84_600, downSec: 0, excludedSec: 1_800 });
    expect(w["7d"]).toMatchObject({ availabilityPct: Math.round((9_930 / 10_050) * 100_000) / 1000, excludedSec: 1_800 });
    // Past the minute roll-ups the whole hour goes: 60 probes, 30 of them down.
    expect(w["1y"]).toMatchObject({ availabilityPct: Math.round((129_780 / 131_700) * 100_000) / 1000, excludedSec: 3_600 });
    // The histogram hour it touched goes too: the 1 s probe at 09:01 stays, 10:00's 100 ms probes leave.
    expect(w["24h"]?.p95Ms).toBe(Math.round(binValue(binOf(100)) * 10) / 10);
  });

  it("a check filter, and a check without history in a span, give null rather than 100 %", () => {
    expect(t.history.uptime({ host: "kronos", now, checks: ["other"], days: [], silences: [], exclude: false })).toEqual([]);
    const past = lastLocalDays(start - 86_400_000, 1, "UTC");
    const [web] = t.history.uptime({ host: "kronos", now, days: past, silences: [], exclude: false });
    expect(web!.days[0]).toMatchObject({ availabilityPct: null, measuredSec: 0 });
  });

  it("compaction removes histograms with the hourly roll-ups", async () => {
    const later = new Date(now + 2 * 365 * 86_400_000);
    await t.history.compact(later);
    expect(t.store.sqlite.prepare("SELECT count(*) FROM histogram_1h").pluck().get()).toBe(0);
  });
});
