import { describe, expect, it } from "vitest";
import { applyWindow, expire, slide, type Point } from "./window.ts";

const pts = (...values: number[]): Point[] => values.map((v, i) => [i * 1000, v]);

describe("window functions", () => {
  it("increase sums growth and counts a reset as growth from zero", () => {
    expect(applyWindow("increase", pts(2, 2, 3, 5))).toBe(3);
    expect(applyWindow("increase", pts(5, 0, 2))).toBe(2);
    expect(applyWindow("increase", pts(5, 3))).toBe(3);
    expect(applyWindow("increase", pts(7))).toBe(0);
  });

  it("avg, max and min", () => {
    expect(applyWindow("avg", pts(1, 2, 6))).toBe(3);
    expect(applyWindow("max", pts(1, 9, 6))).toBe(9);
    expect(applyWindow("min", pts(4, 9, 2))).toBe(2);
  });

  it("slides: keeps points within the window ending now (both ends), appends the new one", () => {
    expect(slide(pts(1, 2, 3, 4), 4000, 5, 2000)).toEqual([
      [2000, 3],
      [3000, 4],
      [4000, 5],
    ]);
    expect(expire(pts(1, 2, 3), 5000, 3000)).toEqual([[2000, 3]]);
  });

  it("forgets points from the future (a clock set back) instead of letting them linger", () => {
    expect(slide([[9000, 1]], 5000, 2, 10_000)).toEqual([[5000, 2]]);
  });
});
