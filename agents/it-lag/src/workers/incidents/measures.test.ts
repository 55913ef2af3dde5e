import { describe, expect, it } from "vitest";
import { isoWeek } from "@lag/contracts";
import { measure } from "./measures.ts";

const H = 3_600_000;
const T = Date.parse("2026-12-01T06:00:00Z");

describe("measures", () => {
  it("give MTTA and MTTR per severity, most severe first, incidents per ISO week, and patterns", () => {
    const m = measure(
      [
        { severity: "high", openedAt: T, ackedAt: T + 600_000, resolvedAt: T + H },
        { severity: "high", openedAt: T + H, ackedAt: T + H + 1_200_000, resolvedAt: null },
        { severity: "critical", openedAt: T + 2 * H, ackedAt: null, resolvedAt: T + 3 * H },
      ],
      [
        { fingerprint: "container-restart-loop/kronos/container=immich", rule: "container-restart-loop", host: "kronos", times: 4 },
        { fingerprint: "disk-high/kronos/mount=/", rule: "disk-high", host: "kronos", times: 2 },
      ],
      T - 30 * 24 * H,
      3,
    );
    expect(m.bySeverity).toEqual([
      { severity: "critical", incidents: 1, mttaSec: null, mttrSec: 3600 },
      { severity: "high", incidents: 2, mttaSec: 900, mttrSec: 3600 },
    ]);
    expect(m.perWeek).toEqual([{ week: "2026-W49", opened: 3 }]);
    expect(m.patterns.map((p) => [p.rule, p.times])).toEqual([["container-restart-loop", 4]]);
    expect(m.patterns[0]!.suggestion).toMatch(/fires 4 times in 7 days/);
  });

  it("number weeks as ISO 8601 does, across a year's end", () => {
    expect(isoWeek(Date.parse("2026-01-01T12:00:00Z"))).toBe("2026-W01");
    expect(isoWeek(Date.parse("2027-01-01T12:00:00Z"))).toBe("2026-W53");
    expect(isoWeek(Date.parse("2024-12-30T12:00:00Z"))).toBe("2025-W01");
  });
});
