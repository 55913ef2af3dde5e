import { describe, expect, it } from "vitest";
import { missed, periodOf, rpoOf, startGrace, windowOf } from "./rpo.ts";

const daily = { cron: "0 3 * * *", timezone: "UTC" };
const at = (iso: string) => new Date(iso);
const ms = (iso: string) => Date.parse(iso);

describe("a plan's recovery point", () => {
  it("a daily schedule has a 24 h period, a 30 h window, a minute's grace; a plan's own window wins", () => {
    expect(periodOf(daily, at("2026-11-23T12:00:00Z"))).toBe(24 * 3_600_000);
    expect(windowOf(daily, at("2026-11-23T12:00:00Z"))).toBe(30 * 3_600_000);
    expect(windowOf({ ...daily, window: 3_600_000 }, at("2026-11-23T12:00:00Z"))).toBe(3_600_000);
    expect(startGrace(daily, at("2026-11-23T12:00:00Z"))).toBe(60_000);
    expect(startGrace({ cron: "*/4 * * * * *", timezone: "UTC" }, at("2026-11-23T12:00:00Z"))).toBe(1_000);
  });

  it("green after the last scheduled run succeeded, amber when it did not, red past the window or never", () => {
    const good = { lastGoodStartedAt: ms("2026-11-23T03:00:00Z"), lastGoodFinishedAt: ms("2026-11-23T03:04:00Z"), running: false };
    expect(rpoOf(daily, { ...good, now: at("2026-11-23T20:00:00Z") })).toBe("green");
    // The 24th's 03:00 run did not succeed: the copy from the 23rd is 25 h old, inside 30 h.
    expect(rpoOf(daily, { ...good, now: at("2026-11-24T04:00:00Z") })).toBe("amber");
    // …unless the run is under way.
    expect(rpoOf(daily, { ...good, running: true, now: at("2026-11-24T03:02:00Z") })).toBe("green");
    expect(rpoOf(daily, { ...good, now: at("2026-11-24T09:05:00Z") })).toBe("red");
    expect(rpoOf(daily, { running: false, now: at("2026-11-24T04:00:00Z") })).toBe("red");
  });

  it("the dead-man's switch counts from the last success, or from when the plan was first seen", () => {
    const since = ms("2026-11-23T00:00:00Z");
    expect(missed(daily, { since, now: at("2026-11-24T05:59:00Z") })).toBe(false);
    expect(missed(daily, { since, now: at("2026-11-24T06:01:00Z") })).toBe(true);
    expect(missed(daily, { lastGoodFinishedAt: ms("2026-11-24T03:05:00Z"), since, now: at("2026-11-24T06:01:00Z") })).toBe(false);
  });
});
