import { describe, expect, it } from "vitest";
import { Alert } from "@lag/contracts";
import { evaluate } from "./engine.ts";
import { emptyState } from "./state.ts";
import { disk, HOUR, iso, MINUTE, Monitor, rule, sample, SECOND, T0 } from "./monitor.fixture.ts";

const memHigh = () => rule({ name: "memory-high", metric: "mem.used_pct", op: ">", threshold: 90, for: "5m", severity: "medium" });
const diskHigh = (extra: object = {}) =>
  rule({ name: "disk-high", metric: "fs.used_pct", op: ">", threshold: 85, recover: 80, severity: "high", ...extra });
const mem = (pct: number) => [sample("mem.used_pct", pct)];

describe("for: how long a condition must hold", () => {
  it("fires once after `for`, not before, with startsAt when the condition began", () => {
    const m = new Monitor([memHigh()]);
    expect(m.run(5 * MINUTE, () => mem(95))).toEqual([]); // T0 … T0+4m50s
    expect(m.state.series["memory-high/kronos"]?.phase).toBe("pending");
    const [fired, ...rest] = m.tick(mem(95)); // T0+5m
    expect(rest).toEqual([]);
    expect(fired).toMatchObject({ status: "firing", repeat: 0, rule: "memory-high", severity: "medium", value: 95, threshold: 90 });
    expect(fired?.startsAt).toBe(iso(T0));
    expect(m.run(50 * MINUTE, () => mem(95))).toEqual([]);
  });

  it("fires at the first evaluation when `for` is 0", () => {
    const m = new Monitor([diskHigh()]);
    const [fired] = m.tick([disk(91.2, "/mnt/storage", "storage")]);
    expect(fired).toMatchObject({ status: "firing", repeat: 0, startsAt: iso(T0), value: 91.2 });
    expect(fired?.summary).toBe("/mnt/storage is 91.2% full (threshold 85%)");
  });

  it("emits nothing for a pending condition that clears before `for`, and starts counting again", () => {
    const m = new Monitor([memHigh()]);
    expect(m.run(4 * MINUTE, () => mem(95))).toEqual([]);
    expect(m.tick(mem(50))).toEqual([]);
    expect(m.state.series).toEqual({});
    const restart = m.now;
    expect(m.run(5 * MINUTE, () => mem(95))).toEqual([]);
    const [fired] = m.tick(mem(95));
    expect(fired?.startsAt).toBe(iso(restart));
    expect(m.log).toHaveLength(1);
  });
});

describe("repeat: reminders while it lasts", () => {
  it("reminds every hour with increasing repeat, the same fingerprint and startsAt", () => {
    const m = new Monitor([diskHigh()]);
    m.run(3 * HOUR + 10 * MINUTE, () => [disk(91)]);
    expect(m.log.map((a) => a.repeat)).toEqual([0, 1, 2, 3]);
    expect(new Set(m.log.map((a) => a.fingerprint))).toEqual(new Set(["disk-high/kronos/mount=/mnt/storage"]));
    expect(new Set(m.log.map((a) => a.startsAt))).toEqual(new Set([iso(T0)]));
    expect(m.log.every((a) => a.status === "firing")).toBe(true);
  });

  it("sends reminders at the configured interval, measured from the first notification", () => {
    const m = new Monitor([diskHigh({ repeat: "15m" })]);
    expect(m.run(15 * MINUTE, () => [disk(91)]).map((a) => a.repeat)).toEqual([0]); // T0 … T0+14m50s
    expect(m.tick([disk(91)]).map((a) => a.repeat)).toEqual([1]); // exactly T0+15m
    expect(m.run(15 * MINUTE - 10 * SECOND, () => [disk(91)])).toEqual([]);
    expect(m.tick([disk(91)]).map((a) => a.repeat)).toEqual([2]); // exactly T0+30m
    expect(new Set(m.log.map((a) => a.startsAt))).toEqual(new Set([iso(T0)]));
  });

  it("sends no reminders with repeat: never", () => {
    const m = new Monitor([diskHigh({ repeat: "never" })]);
    m.run(10 * HOUR, () => [disk(91)]);
    expect(m.log).toHaveLength(1);
  });

  it("sends one reminder, not a burst, after the monitor was down for hours", () => {
    const m = new Monitor([diskHigh()]);
    m.tick([disk(91)], 3 * HOUR + 5 * MINUTE);
    expect(m.tick([disk(91)]).map((a) => a.repeat)).toEqual([1]);
    expect(m.run(59 * MINUTE, () => [disk(91)])).toEqual([]);
    expect(m.run(2 * MINUTE, () => [disk(91)]).map((a) => a.repeat)).toEqual([2]);
  });

  it("emits exactly 1 firing and 27 reminders over 10,000 evaluations of the same condition", () => {
    const m = new Monitor([diskHigh()]);
    for (let i = 0; i < 10_000; i++) m.tick([disk(91)]); // 10,000 × 10 s = 27 h 46 min
    expect(m.log.filter((a) => a.repeat === 0)).toHaveLength(1);
    expect(m.log.map((a) => a.repeat)).toEqual(Array.from({ length: 28 }, (_, i) => i));
    expect(m.log.every((a) => a.status === "firing")).toBe(true);
  });
});

describe("resolve and hysteresis", () => {
  it("resolves once, with endsAt, the value and the original startsAt", () => {
    const m = new Monitor([diskHigh()]);
    m.run(2 * MINUTE, () => [disk(91)]);
    const end = m.now;
    const [resolved, ...rest] = m.tick([disk(70)]);
    expect(rest).toEqual([]);
    expect(resolved).toMatchObject({ status: "resolved", startsAt: iso(T0), endsAt: iso(end), value: 70, repeat: 0 });
    expect(resolved?.summary).toBe("resolved: /mnt/storage is 70% full (threshold 85%)");
    expect(m.run(2 * HOUR, () => [disk(70)])).toEqual([]);
    expect(m.state.series).toEqual({});
  });

  it("keeps firing inside the band (84, 80) and resolves past recover (79)", () => {
    const m = new Monitor([diskHigh()]);
    expect(m.tick([disk(86)]).map((a) => a.status)).toEqual(["firing"]);
    expect(m.tick([disk(84)])).toEqual([]);
    expect(m.tick([disk(80)])).toEqual([]);
    expect(m.state.series["disk-high/kronos/mount=/mnt/storage"]?.phase).toBe("firing");
    expect(m.tick([disk(79)]).map((a) => a.status)).toEqual(["resolved"]);
  });

  it("emits nothing new while the value flaps around the threshold inside the band", () => {
    const m = new Monitor([diskHigh({ repeat: "never" })]);
    m.run(10 * HOUR, (i) => [disk(i % 2 === 0 ? 86 : 84)]);
    expect(m.log.map((a) => a.status)).toEqual(["firing"]);
  });

  it("without recover, resolves as soon as the condition stops holding", () => {
    const m = new Monitor([rule({ name: "disk-high", metric: "fs.used_pct", op: ">", threshold: 85, severity: "high" })]);
    m.tick([disk(86)]);
    expect(m.tick([disk(85)]).map((a) => a.status)).toEqual(["resolved"]);
  });

  it("fires again, as a new occurrence with a new startsAt, after it resolved", () => {
    const m = new Monitor([diskHigh()]);
    m.tick([disk(90)]);
    m.tick([disk(70)]);
    const again = m.now;
    const [fired] = m.tick([disk(90)]);
    expect(fired).toMatchObject({ status: "firing", repeat: 0, startsAt: iso(again) });
  });
});

describe("series", () => {
  it("treats two mounts of one rule as independent alerts", () => {
    const m = new Monitor([diskHigh()]);
    const storage = (p: number) => disk(p, "/mnt/storage", "storage");
    const backup = (p: number) => disk(p, "/mnt/backup", "backup");
    expect(m.tick([storage(91), backup(50)]).map((a) => a.labels["mount"])).toEqual(["/mnt/storage"]);
    expect(m.tick([storage(91), backup(90)]).map((a) => a.labels["mount"])).toEqual(["/mnt/backup"]);
    const [resolved, ...rest] = m.tick([storage(60), backup(90)]);
    expect(rest).toEqual([]);
    expect(resolved).toMatchObject({ status: "resolved", fingerprint: "disk-high/kronos/mount=/mnt/storage,role=storage" });
    expect(m.state.series["disk-high/kronos/mount=/mnt/backup,role=backup"]?.phase).toBe("firing");
  });

  it("only evaluates series whose labels match, with * globs and ! negation", () => {
    const m = new Monitor([
      diskHigh({ match: { mount: "/mnt/*" } }),
      rule({ name: "down", metric: "container.up", op: "==", threshold: 0, severity: "high", match: { container: "!*-migrate" } }),
    ]);
    const fired = m.tick([
      disk(99, "/"),
      disk(99, "/mnt/storage"),
      disk(99, "/mnt/backup"),
      sample("container.up", 0, { container: "immich-server" }),
      sample("container.up", 0, { container: "immich-migrate" }),
    ]);
    expect(fired.map((a) => a.fingerprint)).toEqual([
      "disk-high/kronos/mount=/mnt/storage",
      "disk-high/kronos/mount=/mnt/backup",
      "down/kronos/container=immich-server",
    ]);
  });

  it("gives each rule on one series its own alert (disk-high and disk-critical both fire at 96 %)", () => {
    const critical = rule({ name: "disk-critical", metric: "fs.used_pct", op: ">", threshold: 95, recover: 90, severity: "critical" });
    const m = new Monitor([diskHigh(), critical]);
    expect(m.tick([disk(96)]).map((a) => `${a.rule}:${a.severity}`)).toEqual(["disk-high:high", "disk-critical:critical"]);
    expect(m.tick([disk(89)]).map((a) => `${a.rule}:${a.status}`)).toEqual(["disk-critical:resolved"]);
  });

  it("counts a series reported twice in one round once", () => {
    const m = new Monitor([diskHigh()]);
    expect(m.tick([disk(91), disk(92)])).toHaveLength(1);
    expect(m.log[0]?.value).toBe(92);
  });

  it("ignores non-finite values as no reading", () => {
    const m = new Monitor([diskHigh()]);
    expect(m.tick([disk(Number.NaN), disk(Number.POSITIVE_INFINITY, "/mnt/backup")])).toEqual([]);
    expect(m.state.series).toEqual({});
  });
});

describe("comparisons", () => {
  const cases: Array<[">" | ">=" | "<" | "<=" | "==" | "!=", number, boolean]> = [
    [">", 10, false],
    [">", 11, true],
    [">=", 10, true],
    [">=", 9, false],
    ["<", 10, false],
    ["<", 9, true],
    ["<=", 10, true],
    ["<=", 11, false],
    ["==", 10, true],
    ["==", 10.5, false],
    ["!=", 10, false],
    ["!=", 0, true],
  ];
  it.each(cases)("value %s 10 with value %d fires: %s", (op, value, fires) => {
    const m = new Monitor([rule({ name: "r", metric: "load.5", op, threshold: 10, severity: "low" })]);
    expect(m.tick([sample("load.5", value)]).length).toBe(fires ? 1 : 0);
  });

  it("resolves a < rule only above its recover value", () => {
    const m = new Monitor([rule({ name: "tls", metric: "check.tls_days_left", op: "<", threshold: 14, recover: 20, severity: "high" })]);
    const tls = (days: number) => [sample("check.tls_days_left", days, { check: "web", kind: "tls" })];
    expect(m.tick(tls(13)).map((a) => a.status)).toEqual(["firing"]);
    expect(m.tick(tls(20))).toEqual([]);
    expect(m.tick(tls(89)).map((a) => a.status)).toEqual(["resolved"]);
  });
});

describe("emitted alerts", () => {
  it("validate against the Alert contract, with the rule's extra labels added", () => {
    const r = diskHigh({ labels: { team: "ops" } });
    const out = evaluate(emptyState(), [r], [disk(91, "/mnt/storage", "storage")], new Date(T0), "kronos");
    const alert = out.alerts[0];
    expect(Alert.safeParse(alert).success).toBe(true);
    expect(alert).toEqual({
      fingerprint: "disk-high/kronos/mount=/mnt/storage,role=storage",
      rule: "disk-high",
      host: "kronos",
      status: "firing",
      severity: "high",
      summary: "/mnt/storage is 91% full (threshold 85%)",
      source: "fs.used_pct",
      value: 91,
      threshold: 85,
      labels: { team: "ops", mount: "/mnt/storage", role: "storage" },
      startsAt: iso(T0),
      repeat: 0,
    });
  });

  it("render a custom summary with {value}, {threshold}, {labels.x} and {x} placeholders", () => {
    const r = diskHigh({ summary: "{host}: {labels.mount} ({role}) at {value}% > {threshold}% for {for}" });
    const [a] = evaluate(emptyState(), [r], [disk(91.26, "/mnt/storage", "storage")], new Date(T0), "nas").alerts;
    expect(a?.summary).toBe("nas: /mnt/storage (storage) at 91.3% > 85% for 0s");
  });

  it("are identical for identical input: the engine is deterministic", () => {
    const run = () => evaluate(emptyState(), [diskHigh(), memHigh()], [disk(91), ...mem(99)], new Date(T0 + SECOND), "kronos");
    expect(run()).toEqual(run());
  });

  it("leave the input state untouched", () => {
    const m = new Monitor([diskHigh()]);
    m.tick([disk(91)]);
    const before = JSON.stringify(m.state);
    evaluate(m.state, [diskHigh()], [disk(50)], new Date(m.now), "kronos");
    expect(JSON.stringify(m.state)).toBe(before);
  });
});
