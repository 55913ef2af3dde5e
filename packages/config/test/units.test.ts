import { describe, expect, it } from "vitest";
import { z } from "zod";
import { byteSize, duration, parseByteSize, parseDuration } from "@lag/config";

describe("duration", () => {
  it.each([
    ["250ms", 250],
    ["10s", 10_000],
    ["5m", 300_000],
    ["48h", 172_800_000],
    ["30d", 2_592_000_000],
    ["1w", 604_800_000],
    ["1h30m", 5_400_000],
    ["1.5h", 5_400_000],
    ["2m 30s", 150_000],
    [1500, 1500],
    [0, 0],
  ] as const)("reads %j as %d ms", (input, ms) => {
    expect(duration.parse(input)).toBe(ms);
  });

  it.each(["10", "5 minutes", "ten seconds", "-5s", "", "5x"])("refuses %j naming the accepted forms", (input) => {
    const r = duration.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe(
      `expected a duration like 250ms, 10s, 5m, 48h, 30d, 1w (or combined, 1h30m), or a number of milliseconds, got ${JSON.stringify(input)}`,
    );
  });

  it("refuses a negative number and a boolean", () => {
    expect(duration.safeParse(-1).success).toBe(false);
    expect(duration.safeParse(true).error?.issues[0]?.message).toMatch(/^expected a duration like .*got true$/);
  });

  it("takes a default in milliseconds and says required when a key has none", () => {
    const S = z.strictObject({ a: duration.default(1_000), b: duration });
    expect(S.parse({ b: "1s" })).toEqual({ a: 1_000, b: 1_000 });
    expect(S.safeParse({}).error?.issues[0]).toMatchObject({ path: ["b"], message: "required" });
  });

  it("parseDuration returns undefined for text that is not a duration", () => {
    expect(parseDuration("1d12h")).toBe(129_600_000);
    expect(parseDuration("12")).toBeUndefined();
  });
});

describe("byteSize", () => {
  it.each([
    ["300GB", 300e9],
    ["300 GiB", 300 * 2 ** 30],
    ["512MB", 512e6],
    ["512MiB", 512 * 2 ** 20],
    ["2TB", 2e12],
    ["1.5 kB", 1500],
    ["4096", 4096],
    ["100 B", 100],
    [1024, 1024],
  ] as const)("reads %j as %d bytes", (input, bytes) => {
    expect(byteSize.parse(input)).toBe(bytes);
  });

  it.each(["300 gigabytes", "GB", "12 parsecs", "-1GB"])("refuses %j naming the accepted forms", (input) => {
    const r = byteSize.safeParse(input);
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe(
      `expected a size like 300GB, 512MB, 2TB (powers of 10), 300 GiB, 512MiB (powers of 2), or a number of bytes, got ${JSON.stringify(input)}`,
    );
  });

  it("parseByteSize tells decimal from binary units", () => {
    expect(parseByteSize("1GiB")! - parseByteSize("1GB")!).toBe(2 ** 30 - 1e9);
  });
});
