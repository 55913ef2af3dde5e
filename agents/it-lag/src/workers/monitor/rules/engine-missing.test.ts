import { describe, expect, it } from "vitest";
import { emptyState } from "./state.ts";
import { evaluate } from "./engine.ts";
import { disk, HOUR, iso, MINUTE, Monitor, rule, sample, T0 } from "./monitor.fixture.ts";

const down = (extra: object = {}) =>
  rule({ name: "container-down", metric: "container.up", op: "==", threshold: 0, severity: "high", ...extra });
const up = (v: number, container = "plex") => sample("container.up", v, { container });

describe("missing series (a container removed, a check deleted, Docker unreachable)", () => {
  it("resolves a firing alert at the first evaluation without its series, value null, by default", () => {
    const m = new Monitor([down()]);
    m.tick([up(0), up(1, "immich")]);
    const gone = m.now;
    const [resolved, ...rest] = m.tick([up(1, "immich")]);
    expect(rest).toEqual([]);
    expect(resolved).toMatchObject({ status: "resolved", value: null, endsAt: iso(gone), startsAt: iso(T0) });
    expect(resolved?.summary).toBe("resolved, no longer reported: container plex is not running");
    expect(m.state.series).toEqual({});
    expect(m.run(HOUR, () => [up(1, "immich")])).toEqual([]);
  });

  it("waits the rule's `for` before resolving, and keeps firing if the series comes back in time", () => {
    const m = new Monitor([down({ for: "2m" })]);
    m.run(2 * MINUTE + 1, () => [up(0)]);
    expect(m.log.map((a) => a.status)).toEqual(["firing"]);
    expect(m.run(MINUTE, () => [])).toEqual([]); // absent 1 minute: still firing
    expect(m.state.series["container-down/kronos/container=plex"]).toMatchObject({ phase: "firing", alert: { value: null } });
    expect(m.tick([up(0)])).toEqual([]); // back, still down: no new firing
    expect(m.state.series["container-down/kronos/container=plex"]).not.toHaveProperty("missingSince");
    const gone = m.now;
    const out = m.run(3 * MINUTE, () => []);
    expect(out.map((a) => [a.status, a.endsAt])).toEqual([["resolved", iso(gone + 2 * MINUTE)]]);
  });

  it("with missing: keep, stays firing and reminding until the series returns and recovers", () => {
    const m = new Monitor([down({ missing: "keep" })]);
    m.tick([up(0)]);
    const reminders = m.run(2 * HOUR + MINUTE, () => []);
    expect(reminders.map((a) => [a.status, a.repeat, a.value])).toEqual([
      ["firing", 1, null],
      ["firing", 2, null],
    ]);
    expect(reminders[0]?.summary).toBe("container plex is not running (no longer reported)");
    expect(m.tick([up(1)]).map((a) => [a.status, a.value, a.repeat])).toEqual([["resolved", 1, 2]]);
  });

  it("drops a pending condition whose series disappears, without emitting", () => {
    const m = new Monitor([down({ for: "1m" })]);
    m.tick([up(0)]);
    expect(m.tick([])).toEqual([]);
    expect(m.state.series).toEqual({});
    const back = m.now;
    m.run(MINUTE + 1, () => [up(0)]);
    expect(m.log.map((a) => a.startsAt)).toEqual([iso(back)]);
  });

  it("keeps no state for series that come and go without trouble", () => {
    const m = new Monitor([down()]);
    for (let i = 0; i < 500; i++) m.tick([up(1, `job-${i}`)]);
    expect(m.state.series).toEqual({});
    expect(m.log).toEqual([]);
  });

  it("resolves firing alerts of a rule removed from the configuration", () => {
    const m = new Monitor([down(), rule({ name: "disk-high", metric: "fs.used_pct", op: ">", threshold: 85, severity: "high" })]);
    m.tick([up(0), disk(91)]);
    m.rules = m.rules.filter((r) => r.name !== "container-down");
    const out = m.tick([up(0), disk(91)]);
    expect(out.map((a) => [a.rule, a.status, a.value])).toEqual([["container-down", "resolved", null]]);
    expect(out[0]?.summary).toMatch(/^resolved, rule container-down removed from the configuration: /);
    expect(Object.keys(m.state.series)).toEqual(["disk-high/kronos/mount=/mnt/storage"]);
  });

  it("resolves the old host's alerts when the monitor is renamed, and fires under the new name", () => {
    const r = [down({ missing: "keep" })];
    const first = evaluate(emptyState(), r, [up(0)], new Date(T0), "kronos");
    const second = evaluate(first.state, r, [up(0)], new Date(T0 + 10_000), "kronos2");
    expect(second.alerts.map((a) => [a.host, a.status])).toEqual([
      ["kronos2", "firing"],
      ["kronos", "resolved"],
    ]);
  });

  it("resolves container alerts as no longer reported when Docker goes away, while docker-down fires", () => {
    const m = new Monitor([down(), rule({ name: "docker-down", metric: "docker.up", op: "==", threshold: 0, severity: "medium" })]);
    m.tick([sample("docker.up", 1), up(0)]);
    const out = m.tick([sample("docker.up", 0)]);
    expect(out.map((a) => [a.rule, a.status])).toEqual([
      ["docker-down", "firing"],
      ["container-down", "resolved"],
    ]);
  });
});
