import { describe, expect, it } from "vitest";
import { ManualClock, memoryLogger } from "@lag/testing";
import { compileCron, ScheduleError, Scheduler } from "../src/index.ts";

describe("Scheduler, interval", () => {
  it("keeps running a task that throws, logging each failure", async () => {
    const clock = new ManualClock();
    const log = memoryLogger("t");
    const s = new Scheduler(log.logger, clock);
    let runs = 0;
    s.add("flaky", { every: 1_000, runAtStart: true }, () => {
      runs++;
      throw new Error("boom");
    });
    await clock.advance(3_500);
    await s.stopAll();
    expect(runs).toBe(4);
    expect(log.lines.filter((l) => l.msg.includes("scheduled task flaky failed")).length).toBe(4);
  });

  it("never overlaps runs, skips the slots a long run covered, and stop waits for the run in progress", async () => {
    const clock = new ManualClock();
    const s = new Scheduler(memoryLogger("t").logger, clock);
    let active = 0;
    let maxActive = 0;
    const starts: number[] = [];
    let release!: () => void;
    const t = s.add("slow", { every: 1_000, runAtStart: true }, async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      starts.push(clock.now().getTime());
      if (starts.length === 1) await new Promise<void>((r) => (release = r));
      active--;
    });
    await clock.advance(2_500);
    void t.runNow();
    expect(starts.length).toBe(1);
    clock.advance(0);
    release();
    await clock.advance(1_000);
    await s.stopAll();
    expect(maxActive).toBe(1);
    expect(active).toBe(0);
    const t0 = starts[0]!;
    // The first run held slots 1 s and 2 s; the next is the first due slot after it ended (3 s).
    expect(starts.map((x) => x - t0)).toEqual([0, 3_000]);
  });

  it("refuses an interval that is not a positive number", () => {
    const s = new Scheduler(memoryLogger("t").logger, new ManualClock());
    expect(() => s.add("x", { every: 0 }, () => undefined)).toThrow(ScheduleError);
  });
});

describe("Scheduler, cron", () => {
  it("runs a daily 07:00 Europe/Madrid task at 06:00 UTC in winter and 05:00 UTC in summer", async () => {
    const clock = new ManualClock("2026-12-01T05:00:00Z");
    const s = new Scheduler(memoryLogger("t").logger, clock);
    const at: string[] = [];
    const t = s.add("digest", { cron: "0 7 * * *", timezone: "Europe/Madrid" }, () => void at.push(clock.now().toISOString()));
    expect(t.nextRun()?.toISOString()).toBe("2026-12-01T06:00:00.000Z");
    await clock.advance(2 * 86_400_000);
    expect(at).toEqual(["2026-12-01T06:00:00.000Z", "2026-12-02T06:00:00.000Z"]);
    await s.stopAll();
    expect(t.nextRun()).toBeUndefined();

    const summer = new ManualClock("2027-07-01T00:00:00Z");
    const s2 = new Scheduler(memoryLogger("t").logger, summer);
    expect(
      s2
        .add("digest", { cron: "0 7 * * *", timezone: "Europe/Madrid" }, () => undefined)
        .nextRun()
        ?.toISOString(),
    ).toBe("2027-07-01T05:00:00.000Z");
    await s2.stopAll();
  });

  it("says what is wrong with a bad expression or time zone", () => {
    expect(() => compileCron("61 * * * *")).toThrow(/cron "61 \* \* \* \*": .*minute/);
    expect(() => compileCron("0 7 * * *", "Nowhere/Town")).toThrow(/in Nowhere\/Town: .*Nowhere\/Town/);
  });
});
