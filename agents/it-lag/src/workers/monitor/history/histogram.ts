/**
 * Response-time distributions for the hourly roll-ups. Min/avg/max cannot give a percentile, so
 * the metrics listed here also keep a histogram per hour: counts in logarithmic bins, where bin `i`
 * holds values in (γ^(i−1), γ^i] with γ = 2^(1/8). Any quantile read back is within ±4.3 % of a
 * value that really was at that rank (the bin's midpoint 2γ^i/(γ+1) is at most (γ−1)/(γ+1) from
 * each end), whatever the range: 0.01 ms and 60 s alike. Bins merge by addition, so hours merge
 * into days and years exactly.
 */

/** Metrics whose hourly roll-ups keep a histogram. */
export const DISTRIBUTION_METRICS: ReadonlySet<string> = new Set(["check.latency_ms"]);

const GAMMA = 2 ** (1 / 8);
const LOG_GAMMA = Math.log(GAMMA);
/** Values at or below this (and negative ones) share one bin, reported as 0. */
const ZERO = 1e-3;
/** The lowest bin: γ^−127 is about 1.6e−5, below ZERO, so no value but zero lands here. */
const ZERO_BIN = -128;
/** Bins −128 … 383 cover up to γ^383 ≈ 2.6e14 ms: a sum over them fits a fixed array. */
const BIN_COUNT = 512;

/** Bin index → count. */
export type Bins = Map<number, number>;

export function binOf(value: number): number {
  if (!(value > ZERO)) return ZERO_BIN;
  return Math.min(ZERO_BIN + BIN_COUNT - 1, Math.ceil(Math.log(value) / LOG_GAMMA - 1e-9));
}

/** The value a bin stands for: the point least far, relatively, from both its ends. */
export function binValue(bin: number): number {
  if (bin === ZERO_BIN) return 0;
  return (2 * GAMMA ** bin) / (GAMMA + 1);
}

export function addTo(bins: Bins, value: number, count = 1): void {
  const b = binOf(value);
  bins.set(b, (bins.get(b) ?? 0) + count);
}

export function mergeInto(into: Bins, from: Bins): void {
  for (const [b, n] of from) into.set(b, (into.get(b) ?? 0) + n);
}

/** Stored as a JSON object `{ "bin": count }`: sparse, since one check's latencies sit in a few bins. */
export function encodeBins(bins: Bins): string {
  return JSON.stringify(Object.fromEntries(bins));
}

export function decodeBins(text: string): Bins {
  const out: Bins = new Map();
  for (const [k, v] of Object.entries(JSON.parse(text) as Record<string, number>)) out.set(Number(k), v);
  return out;
}

/**
 * Histograms summed for reading: hour after hour of a year added into one fixed array, straight
 * from their stored text, without a Map per hour (a year of one check is 8,760 of them).
 */
export class BinTotals {
  private readonly counts = new Float64Array(BIN_COUNT);
  private total = 0;

  add(bins: Bins): this {
    for (const [b, n] of bins) this.addBin(b, n);
    return this;
  }

  /** Adds a histogram as stored (encodeBins). */
  addEncoded(text: string): this {
    const o = JSON.parse(text) as Record<string, number>;
    for (const k in o) this.addBin(Number(k), o[k]!);
    return this;
  }

  /** Adds another total (a shorter window's hours are also the longer window's). */
  addTotals(other: BinTotals): this {
    for (let i = 0; i < BIN_COUNT; i++) this.counts[i]! += other.counts[i]!;
    this.total += other.total;
    return this;
  }

  /**
   * The values at the given quantiles (0–1), by the nearest-rank definition: the smallest value with
   * at least q·n values at or below it. Undefined for an empty histogram.
   */
  quantiles(qs: readonly number[]): (number | undefined)[] {
    if (this.total === 0) return qs.map(() => undefined);
    return qs.map((q) => {
      const rank = Math.max(1, Math.ceil(q * this.total));
      let seen = 0;
      for (let i = 0; i < BIN_COUNT; i++) {
        seen += this.counts[i]!;
        if (seen >= rank) return binValue(i + ZERO_BIN);
      }
      return undefined;
    });
  }

  private addBin(b: number, n: number): void {
    const i = Math.max(0, Math.min(BIN_COUNT - 1, b - ZERO_BIN));
    this.counts[i]! += n;
    this.total += n;
  }
}
