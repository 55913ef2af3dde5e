import { medianIndex } from "./stats.ts";

/** What one run of a variant measured: metric name → value, in the units its measurement declares. */
export type Metrics = Record<string, number>;

export interface Variant {
  name: string;
  description: string;
  /** Every measured run, in the order they ran (warm-up excluded). */
  runs: Metrics[];
  /** The run whose key metric is the median of the runs: reported as the result. */
  median: Metrics;
}

export interface Goal {
  /** The goal as stated in the issue, e.g. "typed ≥ 0.5 × raw throughput". */
  statement: string;
  op: ">=" | "<=";
  limit: number;
  met: boolean;
}

export interface Ratio {
  /** e.g. "typed / raw msgs/s". */
  name: string;
  value: number;
  goal?: Goal;
}

export interface Measurement {
  id: string;
  title: string;
  /** The metric that ranks runs (the median run is chosen by it) and that ratios compare. */
  key: string;
  units: Record<string, string>;
  variants: Variant[];
  ratios: Ratio[];
  notes: string[];
}

export interface BenchReport {
  /** Facts about what was measured (server version, payload size…), shown above the tables. */
  facts: Record<string, string | number>;
  measurements: Measurement[];
}

export interface BenchContext {
  /** One line of progress, on stderr, so a long run shows where it is. */
  progress(line: string): void;
  /** Measured runs per variant; the median run is reported. */
  repeats: number;
}

/** A benchmark is a folder under bench/ with a `bench.ts` exporting `benchmark`. */
export interface Benchmark {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchReport>;
}

/** One way of doing the thing measured: called once to warm up, then once per measured run. */
export interface VariantSpec {
  name: string;
  description: string;
  run(phase: "warmup" | "measure"): Promise<Metrics>;
}

/**
 * Runs every variant `repeats` times, interleaved and with the order rotated each round (AB, BA, AB…),
 * so that drift during the run (JIT, GC pressure, server state, a noisy neighbour) weighs on all of
 * them alike instead of on whichever ran last. Each variant is warmed up first.
 */
export async function compareVariants(
  ctx: BenchContext,
  title: string,
  key: string,
  specs: readonly VariantSpec[],
  format: (m: Metrics) => string,
): Promise<Variant[]> {
  for (const s of specs) {
    ctx.progress(`${title}: warm-up ${s.name}`);
    await s.run("warmup");
  }
  const runs = new Map<string, Metrics[]>(specs.map((s) => [s.name, []]));
  for (let r = 0; r < ctx.repeats; r++) {
    const order = specs.map((_, i) => specs[(i + r) % specs.length]!);
    for (const s of order) {
      const m = await s.run("measure");
      runs.get(s.name)!.push(m);
      ctx.progress(`${title}: ${s.name} run ${r + 1}/${ctx.repeats}: ${format(m)}`);
    }
  }
  return specs.map((s) => variantFromRuns(s.name, s.description, runs.get(s.name)!, key));
}

/** A variant's result: all its runs, and the one whose key metric is the median as the figure. */
export function variantFromRuns(name: string, description: string, runs: Metrics[], key: string): Variant {
  return { name, description, runs, median: runs[medianIndex(runs, (m) => m[key]!)]! };
}

/** The ratio of two variants' median key metric, with the goal checked when one is given. */
export function ratio(
  name: string,
  variants: readonly Variant[],
  numerator: string,
  denominator: string,
  key: string,
  goal?: Omit<Goal, "met">,
): Ratio {
  const get = (n: string) => {
    const v = variants.find((x) => x.name === n);
    if (!v) throw new Error(`no variant ${n}`);
    return v.median[key]!;
  };
  const value = get(numerator) / get(denominator);
  if (!goal) return { name, value };
  const met = goal.op === ">=" ? value >= goal.limit : value <= goal.limit;
  return { name, value, goal: { ...goal, met } };
}
