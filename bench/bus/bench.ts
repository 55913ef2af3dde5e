import { hostMetrics } from "@lag/contracts";
import type { BenchReport, Benchmark } from "../harness/benchmark.ts";
import { measureCodec } from "./codec.ts";
import { measureJetStream } from "./jetstream.ts";
import { measureLatency } from "./latency.ts";
import { coreAlert, exampleHostMetrics, smallAlert } from "./payload.ts";
import { measureThroughput } from "./throughput.ts";

const MESSAGES = 200_000;

export const benchmark: Benchmark = {
  name: "bus",
  description: "packages/bus against raw @nats-io/transport-node: core throughput, request/reply latency, JetStream publish",
  async run(ctx): Promise<BenchReport> {
    const small = await measureThroughput(ctx, {
      id: "core-throughput",
      title: "Core publish → validated receive (alert contract on core NATS)",
      event: coreAlert,
      data: smallAlert,
      messages: MESSAGES,
      goal: { statement: "typed ≥ 0.75 × raw+JSON throughput (raw nats.js with JSON.stringify / JSON.parse)", limit: 0.75 },
      breakdown: true,
    });
    // The event the monitor really sends on core NATS, at the contract example's size: a second
    // point on the curve (bigger schema, more bytes), no goal.
    const metrics = await measureThroughput(ctx, {
      id: "core-throughput-host-metrics",
      title: "Core publish → validated receive (hostMetrics, contract example)",
      event: hostMetrics,
      data: exampleHostMetrics,
      messages: MESSAGES / 4,
    });
    const codec = await measureCodec(ctx, coreAlert, smallAlert);
    const latency = await measureLatency(ctx);
    const js = await measureJetStream(ctx);
    return {
      facts: {
        "nats-server": small.serverVersion,
        "alert envelope": `${small.bytes} B`,
        "hostMetrics envelope": `${metrics.bytes} B`,
        "storage reply": `${latency.replyBytes} B`,
        "runs per variant": `${ctx.repeats} (interleaved, median reported), after a warm-up`,
      },
      measurements: [small.measurement, metrics.measurement, codec, latency.measurement, ...js],
    };
  },
};
