/**
 * bench/monitor: what IT_LAG's monitor costs the host it watches.
 *
 *   1. the real monitor process over a 2-minute window (10 s interval, 10 service checks, 10 running
 *      containers): CPU % of one core and RSS, with the host read from /proc (as shipped) and through
 *      systeminformation, beside idle Node processes, all in the same window (process-cost.ts);
 *   2. one host sample, systeminformation against direct reads, and each call on its own (sample-cost.ts);
 *   3. one Docker collection of the running containers;
 *   4. history ingest and the 7-day query (history.bench.ts).
 *
 * `LAG_BENCH_MONITOR_WINDOW=30` shortens the process window (seconds) for a quick look; the figures in
 * bench/README.md come from the full 120 s.
 */
import type { BenchReport, Benchmark } from "@lag/bench";
import { startEnvironment } from "./environment.ts";
import { measureHistory } from "./history.bench.ts";
import { measureProcessCost } from "./process-cost.ts";
import { measureDockerCollect, measureSampleCost } from "./sample-cost.ts";

const WINDOW_MS = Number(process.env.LAG_BENCH_MONITOR_WINDOW ?? 120) * 1000;
const WARMUP_MS = 20_000;
const SAMPLE_ROUNDS = 30;
const DOCKER_ROUNDS = 10;

export const benchmark: Benchmark = {
  name: "monitor",
  description:
    "the monitor's own CPU and memory (real process, 10 checks, 10 containers), host sampling via systeminformation vs /proc, Docker collection, history ingest and query",
  async run(ctx): Promise<BenchReport> {
    ctx.progress("starting nats-server, check targets and containers");
    const env = await startEnvironment(ctx.progress);
    let processCost;
    let samples;
    let docker;
    try {
      processCost = await measureProcessCost(ctx, env, { windowMs: WINDOW_MS, warmupMs: WARMUP_MS });
      ctx.progress("one sample: systeminformation vs proc");
      samples = await measureSampleCost(ctx, { rounds: SAMPLE_ROUNDS });
      docker = await measureDockerCollect(ctx, { rounds: DOCKER_ROUNDS });
    } finally {
      await env.stop();
    }
    // Last, with nothing else of ours running: it keeps a core busy for minutes.
    const history = await measureHistory(ctx);
    return {
      facts: {
        "docker engine": env.dockerVersion,
        "service checks": env.checks.map((c) => `${String(c["name"])} (${String(c["kind"])})`).join(", "),
        ...processCost.facts,
        ...(env.notes.length ? { "stand-ins": env.notes.join("; ") } : {}),
        ...history.facts,
      },
      measurements: [processCost.measurement, ...samples, docker, ...history.measurements],
    };
  },
};
