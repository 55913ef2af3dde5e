import { describe, expect, it } from "vitest";
import { lastLocalDays } from "./local-days.ts";

describe("local days", () => {
  it("UTC days end at midnight UTC", () => {
    const days = lastLocalDays(Date.parse("2026-12-01T10:00:00Z"), 2, "UTC");
    expect(days).toEqual([
      { day: "2026-11-30", fromMs: Date.parse("2026-11-30T00:00:00Z"), toMs: Date.parse("2026-12-01T00:00:00Z") },
      { day: "2026-12-01", fromMs: Date.parse("2026-12-01T00:00:00Z"), toMs: Date.parse("2026-12-02T00:00:00Z") },
    ]);
  });

  it("Madrid's days, across the end of summer time (a 25-hour day)", () => {
    const days = lastLocalDays(Date.parse("2026-10-25T23:30:00Z"), 2, "Europe/Madrid");
    expect(days.map((d) => [d.day, new Date(d.fromMs).toISOString(), (d.toMs - d.fromMs) / 3_600_000])).toEqual([
      ["2026-10-25", "2026-10-24T22:00:00.000Z", 25],
      ["2026-10-26", "2026-10-25T23:00:00.000Z", 24],
    ]);
  });
});
