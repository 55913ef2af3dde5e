import { describe, expect, it } from "vitest";
import { addTo, BinTotals, binOf, binValue, decodeBins, encodeBins, mergeInto, type Bins } from "./histogram.ts";

const quantiles = (bins: Bins, qs: number[]) => new BinTotals().add(bins).quantiles(qs);

describe("latency histograms", () => {
  it("a bin's value is within (γ−1)/(γ+1) ≈ 4.33 % of every value it holds, from 0.01 ms to an hour", () => {
    for (let v = 0.01; v < 3_600_000; v *= 1.013) {
      expect(Math.abs(binValue(binOf(v)) - v) / v).toBeLessThanOrEqual((2 ** (1 / 8) - 1) / (2 ** (1 / 8) + 1) + 1e-12);
    }
  });

  it("zero and negative values share the zero bin; bins survive encoding and merge by addition", () => {
    const a: Bins = new Map();
    addTo(a, 0);
    addTo(a, -1);
    addTo(a, 12);
    expect(quantiles(a, [0.5])).toEqual([0]);
    const b = decodeBins(encodeBins(a));
    expect(b).toEqual(a);
    mergeInto(b, a);
    expect([...b.values()].reduce((x, y) => x + y, 0)).toBe(6);
    // Stored text adds up the same as the Map it came from.
    expect(new BinTotals().addEncoded(encodeBins(b)).quantiles([0.5, 1])).toEqual(quantiles(b, [0.5, 1]));
  });

  it("nearest-rank quantiles: the smallest value with at least q·n at or below it", () => {
    const bins: Bins = new Map();
    for (let i = 1; i <= 100; i++) addTo(bins, i === 100 ? 5_000 : i <= 90 ? 20 : 300);
    const [p50, p90, p91, p99, p100] = quantiles(bins, [0.5, 0.9, 0.91, 0.99, 1]);
    expect(p50).toBe(binValue(binOf(20)));
    expect(p90).toBe(binValue(binOf(20)));
    expect(p91).toBe(binValue(binOf(300)));
    expect(p99).toBe(binValue(binOf(300)));
    expect(p100).toBe(binValue(binOf(5_000)));
    expect(quantiles(new Map(), [0.5])).toEqual([undefined]);
  });
});
