import { describe, expect, it } from "vitest";
import { memoryLogger } from "@lag/testing";
import { Timers } from "../src/timers.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("Timers", () => {
  it("keep running a task that throws, logging each failure", async () => {
    const log = memoryLogger("t");
    const timers = new Timers(log.logger);
    let runs = 0;
    timers.every("flaky", 20, () => {
      runs++;
      throw new Error("boom");
    }, { runAtStart: true });
    await sleep(150);
    await timers.stopAll();
    expect(runs).toBeGreaterThan(2);
    expect(log.lines.filter((l) => l.msg.includes("scheduled task flaky failed")).length).toBe(runs);
  });

  it("never overlap runs of one task, and stop waits for the run in progress", async () => {
    const timers = new Timers(memoryLogger("t").logger);
    let active = 0;
    let maxActive = 0;
    let finished = 0;
    const r = timers.every("slow", 5, async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(40);
      active--;
      finished++;
    }, { runAtStart: true });
    void r.runNow();
    await sleep(100);
    await timers.stopAll();
    expect(maxActive).toBe(1);
    expect(active).toBe(0);
    const after = finished;
    await sleep(60);
    expect(finished).toBe(after);
  });
});
