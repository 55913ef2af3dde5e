export type { BenchContext, BenchReport, Benchmark, Goal, Measurement, Metrics, Ratio, Variant, VariantSpec } from "./benchmark.ts";
export { compareVariants, ratio, variantFromRuns } from "./benchmark.ts";
export type { Environment } from "./environment.ts";
export { describeEnvironment, loadAverage } from "./environment.ts";
export type { ResultFile } from "./report.ts";
export { formatReport } from "./report.ts";
export type { LatencySummary } from "./stats.ts";
export { medianIndex, percentile, summariseLatencies } from "./stats.ts";
