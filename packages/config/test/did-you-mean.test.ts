import { describe, expect, it } from "vitest";
import { closest } from "../src/index.ts";

describe("closest", () => {
  const names = ["threshold", "for", "op", "fs.used_pct", "fs.free_bytes"];
  it("suggests the name a typo or two away", () => {
    expect(closest("treshold", names)).toBe("threshold");
    expect(closest("fs.usedpct", names)).toBe("fs.used_pct");
    expect(closest("fro", names)).toBe("for");
  });
  it("suggests nothing for something unrelated", () => {
    expect(closest("x", names)).toBeUndefined();
    expect(closest("severity_level", names)).toBeUndefined();
  });
});
