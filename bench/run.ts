/**
 * Runs the benchmarks under bench/: every folder with a `bench.ts` exporting `benchmark`, or the
 * ones named on the command line. Prints a table per benchmark and writes the same figures to
 * bench/results/<name>.json.
 *
 *   pnpm bench                  every benchmark
 *   pnpm bench bus              one
 *   pnpm bench bus --json       the result file's content on stdout instead of the table
 *   pnpm bench --repeats 5      measured runs per variant (default 3; the median run is reported)
 *
 * Progress goes to stderr. Figures are never asserted: a missed goal is reported, not an exit code.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { Benchmark } from "./harness/benchmark.ts";
import { describeEnvironment, loadAverage } from "./harness/environment.ts";
import { formatReport, type ResultFile } from "./harness/report.ts";

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = join(benchDir, "..");

/**
 * Benchmarks live beside what they measure: bench/<name>/bench.ts for the packages (they import
 * only public entry points), agents/<agent>/bench/<name>/bench.ts for an agent's own code.
 */
function benchFolders(): Map<string, string> {
  const out = new Map<string, string>();
  const scan = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (d.isDirectory() && existsSync(join(dir, d.name, "bench.ts"))) out.set(d.name, join(dir, d.name));
    }
  };
  scan(benchDir);
  for (const agent of readdirSync(join(root, "agents"))) scan(join(root, "agents", agent, "bench"));
  return out;
}

function available(): string[] {
  return [...benchFolders().keys()].sort();
}

async function loadBenchmark(name: string): Promise<Benchmark> {
  const folder = benchFolders().get(name)!;
  const mod = (await import(pathToFileURL(join(folder, "bench.ts")).href)) as { benchmark?: Benchmark };
  if (!mod.benchmark || typeof mod.benchmark.run !== "function") {
    throw new Error(`${folder}/bench.ts must export \`benchmark\` (see bench/harness/benchmark.ts)`);
  }
  return mod.benchmark;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { json: { type: "boolean", default: false }, repeats: { type: "string", default: "3" } },
  });
  const repeats = Number.parseInt(values.repeats, 10);
  if (!(repeats >= 1)) {
    console.error(`--repeats must be a positive integer, got ${values.repeats}`);
    return 2;
  }
  const all = available();
  const unknown = positionals.filter((p) => !all.includes(p));
  if (unknown.length > 0) {
    console.error(`unknown benchmark ${unknown.join(", ")}: available are ${all.join(", ")}`);
    return 2;
  }
  const names = positionals.length > 0 ? positionals : all;
  const resultsDir = join(benchDir, "results");
  mkdirSync(resultsDir, { recursive: true });
  for (const name of names) {
    const b = await loadBenchmark(name);
    const env = describeEnvironment();
    process.stderr.write(`bench ${name}: ${b.description}\n`);
    const report = await b.run({ repeats, progress: (l) => process.stderr.write(`  [${name}] ${l}\n`) });
    env.load += `, ${loadAverage()} after`;
    const result: ResultFile = { benchmark: name, description: b.description, environment: env, ...report };
    const file = join(resultsDir, `${name}.json`);
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${formatReport(name, env, report)}written to ${file}\n\n`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
