import { describe, expect, it } from "vitest";
import { emptyState, firingAlerts, restoreState } from "./state.ts";
import { disk, HOUR, iso, MINUTE, Monitor, rule, sample, T0 } from "./monitor.fixture.ts";

const memHigh = () => rule({ name: "memory-high", metric: "mem.used_pct", op: ">", threshold: 90, for: "5m", severity: "medium" });
const diskHigh = () => rule({ name: "disk-high", metric: "fs.used_pct", op: ">", threshold: 85, recover: 80, severity: "high" });
const loop = () =>
  rule({ name: "loop", metric: "container.restarts", function: "increase", window: "10m", op: ">=", threshold: 3, severity: "high" });

/** Runs the same scenario twice, once through a JSON round trip of the state at `at`. */
function withAndWithoutRestart(
  rules: () => ReturnType<typeof rule>[],
  steps: number,
  at: number,
  samples: (i: number) => ReturnType<typeof sample>[],
) {
  const plain = new Monitor(rules());
  const restarted = new Monitor(rules());
  for (let i = 0; i < steps; i++) {
    if (i === at) restarted.roundTrip();
    plain.tick(samples(i));
    restarted.tick(samples(i));
  }
  return { plain: plain.log, restarted: restarted.log };
}

describe("persisted state", () => {
  it("survives a JSON round trip mid-pending: fires at the same time with the same startsAt", () => {
    const { plain, restarted } = withAndWithoutRestart(
      () => [memHigh()],
      60,
      18,
      () => [sample("mem.used_pct", 95)],
    );
    expect(restarted).toEqual(plain);
    expect(restarted.map((a) => [a.status, a.startsAt])).toEqual([["firing", iso(T0)]]);
  });

  it("survives a JSON round trip mid-firing: no second firing, reminders on schedule, one resolve", () => {
    const { plain, restarted } = withAndWithoutRestart(
      () => [diskHigh()],
      800,
      200,
      (i) => [disk(i < 700 ? 91 : 50)],
    );
    expect(restarted).toEqual(plain);
    expect(restarted.map((a) => `${a.status}:${a.repeat}`)).toEqual(["firing:0", "firing:1", "resolved:1"]);
  });

  it("keeps a window's history across a round trip", () => {
    const counts = [0, 1, 2, 3, 3, 3];
    const { plain, restarted } = withAndWithoutRestart(
      () => [loop()],
      counts.length,
      3,
      (i) => [sample("container.restarts", counts[i]!, { container: "plex" })],
    );
    expect(restarted).toEqual(plain);
    expect(restarted.map((a) => a.status)).toEqual(["firing"]);
  });

  it("restores what it persisted, and starts empty with a reason from something else", () => {
    const m = new Monitor([diskHigh(), memHigh()]);
    m.tick([disk(91), sample("mem.used_pct", 99)]);
    const json = JSON.parse(JSON.stringify(m.state)) as unknown;
    expect(restoreState(json)).toEqual({ state: m.state });

    const broken = restoreState({ version: 1, series: { x: { phase: "firing", rule: "x" } } });
    expect(broken.state).toEqual(emptyState());
    expect(broken.error).toMatch(/^rule state ignored: series\.x/);
    expect(restoreState(null).error).toMatch(/^rule state ignored/);
    expect(restoreState({ version: 2, series: {} }).error).toMatch(/version/);
  });
});

describe("firingAlerts", () => {
  it("lists what fires now, most severe first, with current values", () => {
    const crit = rule({ name: "disk-critical", metric: "fs.used_pct", op: ">", threshold: 95, severity: "critical" });
    const m = new Monitor([diskHigh(), crit, memHigh()]);
    m.run(6 * MINUTE, () => [disk(96), sample("mem.used_pct", 99)]);
    m.tick([disk(97), sample("mem.used_pct", 99)]);
    expect(firingAlerts(m.state).map((a) => [a.rule, a.severity, a.value])).toEqual([
      ["disk-critical", "critical", 97],
      ["disk-high", "high", 97],
      ["memory-high", "medium", 99],
    ]);
    m.tick([disk(50), sample("mem.used_pct", 99)]);
    expect(firingAlerts(m.state).map((a) => a.rule)).toEqual(["memory-high"]);
  });

  it("does not list pending alerts", () => {
    const m = new Monitor([memHigh()]);
    m.tick([sample("mem.used_pct", 99)], HOUR);
    expect(m.state.series["memory-high/kronos"]?.phase).toBe("pending");
    expect(firingAlerts(m.state)).toEqual([]);
  });
});
