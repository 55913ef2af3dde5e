import { describe, expect, it } from "vitest";
import { MINUTE, Monitor, rule, sample, SECOND } from "./monitor.fixture.ts";

const restartLoop = () =>
  rule({
    name: "container-restart-loop",
    metric: "container.restarts",
    function: "increase",
    window: "10m",
    op: ">=",
    threshold: 3,
    severity: "high",
  });
const restarts = (n: number, container = "immich-server") => [sample("container.restarts", n, { container })];

describe("increase over a window", () => {
  it("stays quiet for a container that restarted long ago and not since", () => {
    const m = new Monitor([restartLoop()]);
    expect(m.run(30 * MINUTE, () => restarts(12))).toEqual([]);
  });

  it("detects a restart loop and resolves once restarts have stopped for a window", () => {
    const m = new Monitor([restartLoop()]);
    m.run(5 * MINUTE, () => restarts(2));
    // One restart a minute: the third inside ten minutes fires.
    const firing = m.run(5 * MINUTE, (i) => restarts(2 + Math.floor((i * 10 * SECOND) / MINUTE)));
    expect(firing.map((a) => [a.status, a.value])).toEqual([["firing", 3]]);
    expect(firing[0]?.summary).toBe("container immich-server restarted 3 times in 10m (threshold 3)");
    // Restarts stop at 6: the alert lasts until the increments age out of the 10-minute window.
    const stop = m.now;
    const resolved = m.run(15 * MINUTE, () => restarts(6));
    expect(resolved.map((a) => a.status)).toEqual(["resolved"]);
    const endsAt = Date.parse(resolved[0]?.endsAt ?? "");
    expect(endsAt - stop).toBeGreaterThan(5 * MINUTE);
    expect(endsAt - stop).toBeLessThanOrEqual(10 * MINUTE);
    expect(resolved[0]?.value).toBeLessThan(3);
  });

  it("counts a counter reset (container recreated) as growth from zero, not a drop", () => {
    const m = new Monitor([restartLoop()]);
    m.tick(restarts(5));
    m.tick(restarts(0)); // recreated
    m.tick(restarts(1));
    expect(m.tick(restarts(2))).toEqual([]); // 0→1→2 is 2 restarts
    expect(m.tick(restarts(3)).map((a) => a.value)).toEqual([3]);
  });

  it("keeps a window per container", () => {
    const m = new Monitor([restartLoop()]);
    const both = (a: number, b: number) => [...restarts(a, "immich-server"), ...restarts(b, "plex")];
    m.tick(both(0, 0));
    m.tick(both(4, 1));
    expect(m.log.map((a) => a.labels["container"])).toEqual(["immich-server"]);
    expect(Object.keys(m.state.series).sort()).toEqual([
      "container-restart-loop/kronos/container=immich-server",
      "container-restart-loop/kronos/container=plex",
    ]);
  });

  it("keeps only the points inside the window in the state", () => {
    const m = new Monitor([restartLoop()]);
    m.run(2 * 60 * MINUTE, () => restarts(1));
    const s = m.state.series["container-restart-loop/kronos/container=immich-server"];
    expect(s?.phase).toBe("idle");
    expect(s?.points).toHaveLength(61); // 10 minutes of 10-second samples, both ends included
  });
});

describe("avg, max and min over a window", () => {
  const cpuAvg = () =>
    rule({ name: "cpu-avg", metric: "cpu.usage_pct", function: "avg", window: "5m", op: ">", threshold: 90, severity: "medium" });
  const cpu = (pct: number) => [sample("cpu.usage_pct", pct)];

  it("avg ignores a short spike but fires on a sustained load", () => {
    const m = new Monitor([cpuAvg()]);
    m.run(5 * MINUTE, () => cpu(50));
    expect(m.run(MINUTE, () => cpu(100))).toEqual([]); // avg ≈ 58
    const fired = m.run(10 * MINUTE, () => cpu(100));
    expect(fired).toHaveLength(1);
    expect(fired[0]?.value).toBeGreaterThan(90);
  });

  it("max fires on any value in the window and resolves when the peak has left it", () => {
    const m = new Monitor([
      rule({ name: "lat", metric: "check.latency_ms", function: "max", window: "2m", op: ">", threshold: 500, severity: "low" }),
    ]);
    const lat = (ms: number) => [sample("check.latency_ms", ms, { check: "web", kind: "http" })];
    expect(m.tick(lat(900)).map((a) => a.status)).toEqual(["firing"]);
    expect(m.run(2 * MINUTE - 10 * SECOND, () => lat(20))).toEqual([]);
    expect(m.tick(lat(20)).map((a) => a.status)).toEqual([]);
    expect(m.tick(lat(20)).map((a) => a.status)).toEqual(["resolved"]);
  });

  it("min fires only when every value in the window is past the threshold", () => {
    const m = new Monitor([
      rule({ name: "busy", metric: "cpu.usage_pct", function: "min", window: "1m", op: ">", threshold: 80, severity: "low" }),
    ]);
    m.tick(cpu(10));
    expect(m.run(MINUTE, () => cpu(99))).toEqual([]);
    expect(m.tick(cpu(99))).toHaveLength(1);
  });
});
