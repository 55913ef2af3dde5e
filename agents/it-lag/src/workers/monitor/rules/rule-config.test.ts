import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeIssues } from "@lag/contracts";
import { RuleConfig, RulesConfig } from "./rule-config.ts";

const ok = { name: "disk-high", metric: "fs.used_pct", op: ">", threshold: 85, severity: "high" };

/** The lines the config loader prints for a bad `it.monitor.rules`. */
function errorsOf(rules: unknown[]): string[] {
  const parsed = RulesConfig.safeParse(rules);
  if (parsed.success) throw new Error("expected the rules to be rejected");
  return describeIssues(parsed.error, "it.monitor.rules");
}

describe("a valid rule", () => {
  it("gets its defaults: for 0, repeat 1h, missing resolve", () => {
    expect(RuleConfig.parse(ok)).toEqual({ ...ok, for: 0, repeat: 3_600_000, missing: "resolve" });
  });

  it("reads durations, windows, never and numeric label values", () => {
    const r = RuleConfig.parse({
      ...ok,
      metric: "cpu.core_pct",
      match: { core: 0 },
      for: "5m",
      function: "avg",
      window: "10m",
      repeat: "never",
      labels: { team: "ops" },
      summary: "core {core} at {value}",
      missing: "keep",
    });
    expect(r).toMatchObject({ for: 300_000, window: 600_000, repeat: 0, match: { core: "0" }, missing: "keep" });
    expect(RuleConfig.parse({ ...ok, repeat: 0 }).repeat).toBe(0);
    expect(RuleConfig.parse({ ...ok, repeat: "30m" }).repeat).toBe(1_800_000);
  });

  it("accepts recover on the safe side of the threshold for each direction", () => {
    expect(RuleConfig.parse({ ...ok, recover: 80 }).recover).toBe(80);
    expect(RuleConfig.parse({ ...ok, metric: "check.tls_days_left", op: "<=", threshold: 14, recover: 20 }).recover).toBe(20);
  });

  it("parses a list inside a larger config, keeping the order", () => {
    const Config = z.object({ rules: RulesConfig });
    const parsed = Config.parse({ rules: [ok, { ...ok, name: "disk-critical", threshold: 95 }] });
    expect(parsed.rules.map((r) => r.name)).toEqual(["disk-high", "disk-critical"]);
  });
});

describe("invalid rules", () => {
  it("reports every mistake of a list at once, naming index, rule and field", () => {
    const errors = errorsOf([
      ok, // [0] fine
      { ...ok, name: "disk-critical", for: "soon" }, // [1]
      { ...ok, name: "typo", metric: "fs.usedpct" }, // [2]
      { ...ok, name: "band", recover: 90 }, // [3]
      { ...ok, name: "op", op: "=>" }, // [4]
      { name: "spelling", metric: "fs.used_pct", op: ">", treshold: 85, severity: "high" }, // [5]
      { ...ok }, // [6] duplicate of [0]
      { ...ok, name: "match", match: { mnt: "/mnt/*" } }, // [7]
      { ...ok, name: "summary", summary: "{mnt} at {value}" }, // [8]
      { ...ok, name: "fn", function: "increase" }, // [9]
      { ...ok, name: "win", window: "10m" }, // [10]
      { ...ok, name: "labels", labels: { mount: "x" } }, // [11]
      { ...ok, name: "sev", severity: "urgent" }, // [12]
      { ...ok, name: "Disk High" }, // [13]
      { ...ok, name: "eq", op: "==", recover: 1 }, // [14]
      { ...ok, name: "rep", repeat: "sometimes" }, // [15]
      { ...ok, name: "thr", threshold: "85%" }, // [16]
      "disk-high > 85", // [17]
    ]);
    const expected: RegExp[] = [
      /^it\.monitor\.rules\[1\]\.for: rule disk-critical: expected a duration/,
      /^it\.monitor\.rules\[2\]\.metric: rule typo: unknown metric "fs\.usedpct"; did you mean fs\.used_pct\? known metrics: cpu\.usage_pct, /,
      /^it\.monitor\.rules\[3\]\.recover: rule band: recover 90 must be below threshold 85/,
      /^it\.monitor\.rules\[4\]\.op: rule op: expected one of > >= < <= == !=/,
      /^it\.monitor\.rules\[5\]\.threshold: rule spelling: required$/,
      /^it\.monitor\.rules\[5\]: rule spelling: unknown field treshold \(did you mean threshold\?\); a rule has name, metric, /,
      /^it\.monitor\.rules: rule names must be unique: disk-high at \[0\], \[6\]$/,
      /^it\.monitor\.rules\[7\]\.match\.mnt: rule match: fs\.used_pct has no label mnt; its labels are mount, role$/,
      /^it\.monitor\.rules\[8\]\.summary: rule summary: unknown placeholder \{mnt\}; use \{value\}, /,
      /^it\.monitor\.rules\[9\]\.window: rule fn: required with function: increase/,
      /^it\.monitor\.rules\[10\]\.window: rule win: only used with function/,
      /^it\.monitor\.rules\[11\]\.labels\.mount: rule labels: mount is already a label of fs\.used_pct/,
      /^it\.monitor\.rules\[12\]\.severity: rule sev: expected one of critical, high, medium, low$/,
      /^it\.monitor\.rules\[13\]\.name: rule Disk High: lower-case letters, digits, _ and - only/,
      /^it\.monitor\.rules\[14\]\.recover: rule eq: recover only applies to > >= < <=/,
      /^it\.monitor\.rules\[15\]\.repeat: rule rep: expected a duration .* or 0 \/ never/,
      /^it\.monitor\.rules\[16\]\.threshold: rule thr: expected a number$/,
      /^it\.monitor\.rules\[17\]: expected a rule: a mapping with at least name, metric, op, threshold and severity$/,
    ];
    for (const re of expected)
      expect(
        errors.some((e) => re.test(e)),
        `${re} in\n${errors.join("\n")}`,
      ).toBe(true);
    expect(errors).toHaveLength(expected.length);
  });

  it("names the required fields a rule lacks", () => {
    const errors = errorsOf([{ name: "bare" }]);
    expect(errors.map((e) => e.split(":")[0])).toEqual([
      "it.monitor.rules[0].metric",
      "it.monitor.rules[0].op",
      "it.monitor.rules[0].threshold",
      "it.monitor.rules[0].severity",
    ]);
    expect(errors.every((e) => e.endsWith(": rule bare: required"))).toBe(true);
  });

  it("rejects recover on the wrong side for < rules too", () => {
    const errors = errorsOf([{ ...ok, name: "tls", metric: "check.tls_days_left", op: "<", threshold: 14, recover: 10 }]);
    expect(errors).toEqual([
      expect.stringMatching(/^it\.monitor\.rules\[0\]\.recover: rule tls: recover 10 must be above threshold 14: with < /),
    ]);
  });

  it("rejects a recover equal to the threshold (it would not be a band)", () => {
    expect(RuleConfig.safeParse({ ...ok, recover: 85 }).success).toBe(false);
  });

  it("rejects a rule on its own with the same checks", () => {
    const r = RuleConfig.safeParse({ ...ok, recover: 90 });
    expect(r.success).toBe(false);
    expect(describeIssues(r.error!)).toEqual([expect.stringMatching(/^recover: recover 90 must be below threshold 85/)]);
  });

  it("suggests nothing for a metric far from every known one, but still lists them", () => {
    const [error] = errorsOf([{ ...ok, metric: "bogus" }]);
    expect(error).not.toContain("did you mean");
    expect(error).toContain("check.tls_days_left");
  });
});
