import { describe, expect, it } from "vitest";
import { formatDuration, formatNumber, renderSummary, unknownPlaceholders } from "./summary.ts";

const ctx = {
  value: 91.25,
  threshold: 85,
  recover: 80,
  rule: "disk-high",
  host: "kronos",
  metric: "fs.used_pct",
  windowMs: 600_000,
  forMs: 90_000,
  labels: { mount: "/mnt/storage" },
};

describe("summary templates", () => {
  it("fills every placeholder", () => {
    expect(renderSummary("{rule}@{host} {metric} {mount}={labels.mount} {value}>{threshold} r{recover} w{window} f{for}", ctx)).toBe(
      "disk-high@kronos fs.used_pct /mnt/storage=/mnt/storage 91.3>85 r80 w10m f1m30s",
    );
  });

  it("shows a missing value, recover, window or label visibly", () => {
    expect(renderSummary("{value} {recover} {window} {role}", { ...ctx, value: null, recover: undefined, windowMs: undefined })).toBe(
      "unknown none none none",
    );
  });

  it("finds placeholders that are neither fixed nor labels", () => {
    expect(unknownPlaceholders("{mount} {value} {labels.role} {labels.value} {x}", ["mount", "role"])).toEqual(["{labels.value}", "{x}"]);
    expect(unknownPlaceholders("no placeholders, {} braces", [])).toEqual(["{}"]);
  });

  it("formats numbers to one decimal and durations the way the config writes them", () => {
    expect([formatNumber(3), formatNumber(91.26), formatNumber(0.04), formatNumber(-2.55)]).toEqual(["3", "91.3", "0", "-2.5"]);
    expect([
      formatDuration(0),
      formatDuration(30_000),
      formatDuration(5_400_000),
      formatDuration(86_400_000),
      formatDuration(1500),
    ]).toEqual(["0s", "30s", "1h30m", "1d", "1s500ms"]);
  });
});
