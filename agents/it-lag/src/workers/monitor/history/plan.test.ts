import { describe, expect, it } from "vitest";
import { defaultHistoryOptions, historyOptions } from "./options.ts";
import { HistoryRangeError, niceStepSec, planQuery } from "./plan.ts";

const now = new Date("2026-11-23T06:00:07.250Z");
const H = 3_600_000;
const D = 24 * H;
const iso = (ms: number) => new Date(ms).toISOString();
const ago = (ms: number) => iso(now.getTime() - ms);
const plan = (q: Parameters<typeof planQuery>[0], o = defaultHistoryOptions) => planQuery(q, now, o);

describe("planQuery: source selection", () => {
  it("serves the last hour by default from raw samples at a 10 s step (≤ 500 points)", () => {
    const p = plan({});
    expect(p).toMatchObject({ source: "raw", stepMs: 10_000 });
    expect(p.fromMs).toBe(Date.parse("2026-11-23T05:00:00.000Z"));
    expect(p.toMs).toBe(Date.parse("2026-11-23T06:00:10.000Z"));
    expect((p.toMs - p.fromMs) / p.stepMs).toBeLessThanOrEqual(501);
  });

  it("uses raw samples for a sub-minute step inside the raw window", () => {
    expect(plan({ from: ago(47 * H), stepSec: 30 }).source).toBe("raw");
    expect(plan({ from: ago(47 * H), to: ago(46 * H), stepSec: 1 })).toMatchObject({ source: "raw", stepMs: 1000 });
  });

  it("falls back to the 1-minute roll-up (step rounded up to 60 s) when the range leaves the raw window", () => {
    expect(plan({ from: ago(49 * H), stepSec: 10 })).toMatchObject({ source: "1m", stepMs: 60_000 });
  });

  it("follows a configured raw window", () => {
    const o = historyOptions({ rawRetentionMs: 2 * H });
    expect(plan({ from: ago(H), stepSec: 10 }, o).source).toBe("raw");
    expect(plan({ from: ago(3 * H), stepSec: 10 }, o).source).toBe("1m");
  });

  it("uses the 1-minute roll-up for steps from 60 s to under an hour, even inside the raw window", () => {
    expect(plan({ from: ago(H), stepSec: 60 })).toMatchObject({ source: "1m", stepMs: 60_000 });
    expect(plan({ from: ago(29 * D), stepSec: 3599 })).toMatchObject({ source: "1m", stepMs: 3_600_000 });
  });

  it("rounds a step to a multiple of the source's resolution so buckets merge exactly", () => {
    expect(plan({ from: ago(H), stepSec: 90 }).stepMs).toBe(120_000);
    expect(plan({ from: ago(40 * D), stepSec: 5400 })).toMatchObject({ source: "1h", stepMs: 2 * H });
  });

  it("uses the hourly roll-up for an hour step or a range older than 30 days", () => {
    expect(plan({ from: ago(H), stepSec: 3600 }).source).toBe("1h");
    expect(plan({ from: ago(31 * D), stepSec: 60 })).toMatchObject({ source: "1h", stepMs: H });
  });

  it("picks a round default step for long ranges: 7 days → 30 min from 1-minute data, 30 days → 2 h", () => {
    expect(plan({ from: ago(7 * D) })).toMatchObject({ source: "1m", stepMs: 1_800_000 });
    expect(plan({ from: ago(30 * D) })).toMatchObject({ source: "1h", stepMs: 2 * H });
  });
});

describe("planQuery: range", () => {
  it("widens the range to whole steps (UTC-aligned) so the first and last points are complete", () => {
    const p = plan({ from: "2026-11-20T10:17:30.000Z", to: "2026-11-20T13:01:00.000Z", stepSec: 3600 });
    expect(iso(p.fromMs)).toBe("2026-11-20T10:00:00.000Z");
    expect(iso(p.toMs)).toBe("2026-11-20T14:00:00.000Z");
  });

  it("keeps an aligned range as it is", () => {
    const p = plan({ from: "2026-11-23T05:00:00.000Z", to: "2026-11-23T06:00:00.000Z", stepSec: 60 });
    expect([iso(p.fromMs), iso(p.toMs)]).toEqual(["2026-11-23T05:00:00.000Z", "2026-11-23T06:00:00.000Z"]);
  });

  it("coarsens a step that would put more than maxPoints points in one reply, counting every series", () => {
    const week = { from: ago(7 * D), stepSec: 60 };
    expect(planQuery(week, now, defaultHistoryOptions, 1).stepMs).toBe(60_000);
    const twenty = planQuery(week, now, defaultHistoryOptions, 20);
    expect(twenty).toMatchObject({ source: "1m", stepMs: 17 * 60_000 }); // 7 d × 20 / 12,000 = 16.8 min
    expect(((twenty.toMs - twenty.fromMs) / twenty.stepMs) * 20).toBeLessThanOrEqual(defaultHistoryOptions.maxPoints + 20);
  });

  it("coarsens a step that would exceed maxPoints", () => {
    const p = planQuery({ from: ago(D), stepSec: 1 }, now, historyOptions({ maxPoints: 1000, rawRetentionMs: 2 * D }));
    expect(p.source).toBe("raw");
    expect(p.stepMs).toBe(87_000); // 86.4 s rounded up to the raw resolution of 1 s
    expect((p.toMs - p.fromMs) / p.stepMs).toBeLessThanOrEqual(1001);
  });

  it("refuses a range whose from is not before to", () => {
    expect(() => plan({ from: ago(0), to: ago(H) })).toThrow(HistoryRangeError);
  });

  it("clamps a `to` past now to now: the last hour up to now, even for 9999-12-31T23:59:59Z", () => {
    const p = plan({ to: "9999-12-31T23:59:59Z" });
    expect(p.toMs).toBeGreaterThan(now.getTime());
    expect(p.toMs - now.getTime()).toBeLessThanOrEqual(p.stepMs);
    expect(new Date(p.toMs).toISOString()).toMatch(/^2\d{3}-/);
    expect(() => plan({ from: "9999-12-31T00:00:00Z", to: "9999-12-31T23:59:59Z" })).toThrow(HistoryRangeError);
    expect(() => plan({ from: iso(now.getTime() + H) })).toThrow(/must be before/);
  });
});

describe("niceStepSec", () => {
  it("chooses the smallest round step giving at most the wanted points", () => {
    expect(niceStepSec(3600_000, 500)).toBe(10);
    expect(niceStepSec(60_000, 500)).toBe(1);
    expect(niceStepSec(D, 500)).toBe(300);
    expect(niceStepSec(365 * D, 500)).toBe(86_400);
    expect(niceStepSec(5 * 365 * D, 500)).toBe(4 * 86_400);
  });
});
