import { describe, expect, it } from "vitest";
import { z } from "zod";
import type { Sample } from "../samples.ts";
import { compileRules } from "./compile.ts";
import { DEFAULT_RULES, defaultRules, defaultRulesYaml } from "./defaults.ts";
import { RulesConfig } from "./rule-config.ts";
import { disk, MINUTE, Monitor, sample, SECOND } from "./monitor.fixture.ts";

const monitor = () => new Monitor(compileRules(defaultRules));
const container = (name: string) => ({ container: name });
const check = (name: string, kind = "http") => ({ check: name, kind });

/** A healthy host, as the three collectors would report it. */
const healthy: Sample[] = [
  sample("cpu.usage_pct", 20),
  sample("load.5", 1),
  sample("mem.used_pct", 40),
  sample("swap.used_pct", 5),
  sample("temp.celsius", 50, { sensor: "cpu" }),
  disk(60, "/mnt/storage", "storage"),
  sample("fs.inodes_used_pct", 10, { mount: "/mnt/storage", role: "storage" }),
  sample("docker.up", 1),
  sample("container.up", 1, container("immich")),
  sample("container.healthy", 1, container("immich")),
  sample("container.restarts", 0, container("immich")),
  sample("check.up", 1, check("web")),
  sample("check.tls_days_left", 60, check("web-tls", "tls")),
  sample("pihole.blocking", 1, { check: "pihole" }),
  sample("pihole.gravity_age_hours", 30, { check: "pihole" }),
];

/** The healthy host with one series replaced. */
function withSample(bad: Sample): Sample[] {
  const key = (s: Sample) => `${s.metric}${JSON.stringify(s.labels)}`;
  return [...healthy.filter((s) => key(s) !== key(bad)), bad];
}

describe("default rules", () => {
  it("parse, with unique names and a reason each", () => {
    expect(defaultRules.map((r) => r.name)).toEqual(DEFAULT_RULES.map((d) => d.rule.name));
    expect(new Set(defaultRules.map((r) => r.name)).size).toBe(defaultRules.length);
    for (const d of DEFAULT_RULES) expect(d.why.length, d.rule.name).toBeGreaterThan(20);
  });

  it("apply when the config lists no rules, and are replaced by a list that does", () => {
    const Monitor = z.object({ rules: RulesConfig.default(defaultRules) });
    expect(Monitor.parse({}).rules).toEqual(defaultRules);
    const own = Monitor.parse({ rules: [{ name: "only", metric: "docker.up", op: "==", threshold: 0, severity: "low" }] });
    expect(own.rules.map((r) => r.name)).toEqual(["only"]);
  });

  it("stay quiet on a healthy host", () => {
    expect(monitor().run(30 * MINUTE, () => healthy)).toEqual([]);
  });

  it("fire disk-high (high), not disk-critical, for /mnt/storage at 91 %", () => {
    const fired = monitor().tick(withSample(disk(91, "/mnt/storage", "storage")));
    expect(fired.map((a) => [a.rule, a.severity, a.labels["mount"]])).toEqual([["disk-high", "high", "/mnt/storage"]]);
    expect(fired[0]?.summary).toBe("/mnt/storage is 91% full (threshold 85%)");
  });

  it("fire both disk rules at 96 %, and resolve critical below 90 while high holds until below 80", () => {
    const m = monitor();
    expect(m.tick(withSample(disk(96, "/mnt/storage", "storage"))).map((a) => a.rule)).toEqual(["disk-high", "disk-critical"]);
    expect(m.tick(withSample(disk(92, "/mnt/storage", "storage")))).toEqual([]);
    expect(m.tick(withSample(disk(89, "/mnt/storage", "storage"))).map((a) => `${a.rule}:${a.status}`)).toEqual(["disk-critical:resolved"]);
    expect(m.tick(withSample(disk(81, "/mnt/storage", "storage")))).toEqual([]);
    expect(m.tick(withSample(disk(79, "/mnt/storage", "storage"))).map((a) => `${a.rule}:${a.status}`)).toEqual(["disk-high:resolved"]);
  });

  const scenarios: Array<[string, Sample, string[], number]> = [
    ["inodes at 95 %", sample("fs.inodes_used_pct", 95, { mount: "/mnt/storage", role: "storage" }), ["inodes-high:high"], 0],
    ["memory at 95 %", sample("mem.used_pct", 95), ["memory-high:medium"], 5 * MINUTE],
    ["CPU at 99 %", sample("cpu.usage_pct", 99), ["cpu-high:medium"], 10 * MINUTE],
    ["load.5 at 12", sample("load.5", 12), ["load-high:medium"], 15 * MINUTE],
    ["swap at 60 %", sample("swap.used_pct", 60), ["swap-high:low"], 10 * MINUTE],
    ["a stopped container", sample("container.up", 0, container("immich")), ["container-down:high"], 0],
    ["an unhealthy container", sample("container.healthy", 0, container("immich")), ["container-unhealthy:high"], 0],
    ["Docker unreachable", sample("docker.up", 0), ["docker-down:medium"], 0],
    ["a failing check", sample("check.up", 0, check("web")), ["check-down:critical"], MINUTE],
    ["a certificate with 10 days left", sample("check.tls_days_left", 10, check("web-tls", "tls")), ["tls-expiring:high"], 0],
    [
      "a certificate with 2 days left",
      sample("check.tls_days_left", 2, check("web-tls", "tls")),
      ["tls-expiring:high", "tls-expiry-critical:critical"],
      0,
    ],
    ["a CPU at 85 °C", sample("temp.celsius", 85, { sensor: "cpu" }), ["temperature-high:high"], 2 * MINUTE],
    ["Pi-hole's blocking off", sample("pihole.blocking", 0, { check: "pihole" }), ["pihole-blocking-off:medium"], 15 * MINUTE],
    ["Pi-hole's block list 20 days old", sample("pihole.gravity_age_hours", 480, { check: "pihole" }), ["pihole-gravity-old:low"], 0],
  ];

  it.each(scenarios)("fire on %s, after the rule's `for` and not before", (_, bad, expected, forMs) => {
    const m = monitor();
    if (forMs > 0) expect(m.run(forMs, () => withSample(bad))).toEqual([]);
    const fired = m.tick(withSample(bad));
    expect(fired.map((a) => `${a.rule}:${a.severity}`)).toEqual(expected);
  });

  it("detect a restart loop: three restarts within ten minutes", () => {
    const m = monitor();
    const restarts = (n: number) => withSample(sample("container.restarts", n, container("immich")));
    const fired = m.run(10 * MINUTE, (i) => restarts(Math.floor((i * 10 * SECOND) / (3 * MINUTE))));
    expect(fired.map((a) => `${a.rule}:${a.value}`)).toEqual(["container-restart-loop:3"]);
  });
});

describe("default rules as YAML", () => {
  const yaml = defaultRulesYaml(4);

  it("lists every rule under a rules: key at the given indent, each with its reason", () => {
    expect(yaml).toMatch(/^ {4}# Alert rules/);
    expect(yaml).toContain("\n    rules:\n");
    for (const d of DEFAULT_RULES) expect(yaml).toContain(`\n      - name: ${d.rule.name}\n`);
    expect(yaml.match(/^ {6}# /gm)?.length).toBeGreaterThanOrEqual(DEFAULT_RULES.length);
  });

  it("quotes what YAML would misread: comparison operators", () => {
    expect(yaml).toContain('op: ">"');
    expect(yaml).toContain('op: "=="');
    expect(yaml).toContain('op: ">="');
    expect(yaml).toContain("window: 10m");
    expect(yaml).toContain("repeat: 24h");
  });
});
