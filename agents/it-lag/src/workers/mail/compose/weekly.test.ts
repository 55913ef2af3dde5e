import { describe, expect, it } from "vitest";
import { dailyReport, type DailyReport } from "@lag/contracts";
import { weeklySummary } from "./weekly.ts";

const day = (d: string, opened: number, resolved: number, health: "ok" | "warning" | "critical"): DailyReport => ({
  ...dailyReport.example,
  day: d,
  generatedAt: `${d}T06:00:00.000Z`,
  health: [{ host: "kronos", health, summary: "" }],
  incidents: { opened, resolved, open: [] },
});

describe("the weekly summary", () => {
  it("adds the week up: incidents per day, the worst each host was and for how many days, backups, alert mails", () => {
    const w = weeklySummary({
      host: "kronos",
      weekLabel: "week 49 (Tue 24 Nov – Mon 30 Nov)",
      now: new Date("2026-11-30T07:00:00Z"),
      reports: [day("2026-11-28", 2, 1, "warning"), day("2026-11-29", 1, 2, "warning"), day("2026-11-30", 0, 0, "ok")],
      plans: [],
      trends: new Map([["kronos /mnt/storage", { deltaPct: 2, days: 7, fullInDays: 100 }]]),
      alertsMailed: 4,
    });
    expect(w.subject).toBe("kronos, week 49 (Tue 24 Nov – Mon 30 Nov): 3 incidents (3 resolved)");
    expect(w.text).toContain("2026-11-28: opened 2, resolved 1, open 0");
    expect(w.text).toContain("alert mails sent: 4");
    expect(w.text).toContain("kronos: warning (2 days)");
    expect(w.text).toContain("+2.0 pts in 7 days, full in ~100 days");
    expect(w.html).toContain("incidents per day");
  });

  it("a week without reports says so", () => {
    const w = weeklySummary({ host: "kronos", weekLabel: "week 49", now: new Date(), reports: [], trends: new Map(), alertsMailed: 0 });
    expect(w.text).toContain("No daily report this week");
  });
});
