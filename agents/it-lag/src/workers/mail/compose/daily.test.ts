import { describe, expect, it } from "vitest";
import { dailyReport, type PlanStatus } from "@lag/contracts";
import { dailyDigest, type DailyData } from "./daily.ts";

const plan = (rpo: PlanStatus["rpo"]): PlanStatus => ({
  plan: "immich",
  schedule: "0 3 * * *",
  repositories: [],
  lastSuccess: "2026-12-01T02:04:00.000Z",
  running: false,
  verification: { done: 1, of: 7 },
  rpo,
  successRate30d: 1,
  sizes: [],
});

function data(over: Partial<DailyData> = {}): DailyData {
  const report = {
    ...dailyReport.example,
    storage: [{ ...dailyReport.example.storage[0]!, usedPct: 40 }],
    incidents: { opened: 0, resolved: 0, open: [] },
  };
  return {
    host: "kronos",
    day: "2026-12-01",
    dayLabel: "Tue 1 Dec",
    now: new Date("2026-12-01T06:30:00Z"),
    report,
    plans: [plan("green"), { ...plan("green"), plan: "nextcloud" }],
    approvals: [],
    trends: new Map(),
    held: [],
    warnPct: 85,
    ...over,
  };
}

describe("the daily digest", () => {
  it("a day with nothing new is one line", () => {
    const d = dailyDigest(data());
    expect(d.quiet).toBe(true);
    expect(d.subject).toBe("kronos, Tue 1 Dec: nothing new");
    expect(d.text).toBe("kronos, Tue 1 Dec: nothing new. 1 host healthy, 2 backups on time, no incidents, nothing waiting for you.");
    expect(d.text.split("\n")).toHaveLength(1);
  });

  it("anything new makes it a full digest: a late backup, a full volume, a missing report", () => {
    const late = dailyDigest(data({ plans: [plan("amber")] }));
    expect(late.quiet).toBe(false);
    expect(late.subject).toBe("kronos, Tue 1 Dec: 1 backup late");
    expect(late.text).toContain("immich: amber");
    const { report: _, ...noReport } = data();
    const missing = dailyDigest(noReport);
    expect(missing.quiet).toBe(false);
    expect(missing.text).toContain("No daily report from IT_LAG for 2026-12-01");
  });
});
