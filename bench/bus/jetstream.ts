import { jetstream } from "@nats-io/jetstream";
import { alert, itStream } from "@lag/contracts";
import { compareVariants, ratio, type BenchContext, type Measurement, type Metrics } from "../harness/benchmark.ts";
import { summariseLatencies } from "../harness/stats.ts";
import { busWarnings, openClients } from "./clients.ts";
import { smallAlert, wireBytes } from "./payload.ts";

const SEQUENTIAL = 3_000;
const WINDOWED = 30_000;
const IN_FLIGHT = 1_000;

/** `inFlight` workers each await their publish before the next, so exactly that many are outstanding. */
async function publishAll(publish: () => Promise<unknown>, n: number, inFlight: number): Promise<{ seconds: number; latencies: bigint[] }> {
  let next = 0;
  const latencies: bigint[] = [];
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (next < n) {
      next++;
      const s = process.hrtime.bigint();
      await publish();
      latencies.push(process.hrtime.bigint() - s);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, worker));
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, latencies };
}

/**
 * Durable publish through JetStream, each publish resolving on the stream's ack: typed =
 * bus.publish(alert) (validated, envelope, Nats-Msg-Id = envelope id); raw = js.publish of the same
 * bytes. The raw baseline sends a unique Nats-Msg-Id too: de-duplication is server work the
 * contract requires, and leaving it out would charge the server's cost to the client library.
 * The stream is purged before every run, so each starts from the same state. No goal: a figure to know.
 */
export async function measureJetStream(ctx: BenchContext): Promise<Measurement[]> {
  const c = await openClients();
  try {
    const bus = await c.typed("it-monitor");
    const raw = await c.raw("js");
    await bus.ensureStreams([itStream]);
    const jsm = await bus.jsm();
    const js = jetstream(raw, { timeout: 10_000 });
    const { subject, bytes } = wireBytes(alert, smallAlert);
    let rawId = 0;

    const typedPublish = () => bus.publish(alert, smallAlert);
    const rawPublish = () => js.publish(subject, bytes, { msgID: `bench-raw-${rawId++}`, timeout: 10_000 });

    const out: Measurement[] = [];
    for (const [id, n, inFlight] of [
      ["jetstream-sequential", SEQUENTIAL, 1],
      ["jetstream-windowed", WINDOWED, IN_FLIGHT],
    ] as const) {
      const run =
        (publish: () => Promise<unknown>) =>
        async (phase: "warmup" | "measure"): Promise<Metrics> => {
          await jsm.streams.purge(itStream.name);
          const r = await publishAll(publish, phase === "warmup" ? n / 4 : n, inFlight);
          const l = summariseLatencies(r.latencies);
          return { msgsPerSec: r.latencies.length / r.seconds, p50: l.p50, p99: l.p99 };
        };
      const title = inFlight === 1 ? "JetStream publish, awaited one by one" : `JetStream publish, ${IN_FLIGHT} in flight`;
      const logFrom = c.log.lines.length;
      const variants = await compareVariants(
        ctx,
        title,
        "msgsPerSec",
        [
          { name: "typed", description: "await bus.publish(alert, data)", run: run(typedPublish) },
          { name: "raw", description: "await js.publish(subject, bytes, { msgID })", run: run(rawPublish) },
        ],
        (m) => `${Math.round(m.msgsPerSec!).toLocaleString("en")} msgs/s`,
      );
      const warnings = busWarnings(c.log, logFrom);
      out.push({
        id,
        title: `${title}: ${n.toLocaleString("en")} messages of ${bytes.length} B`,
        key: "msgsPerSec",
        units: { msgsPerSec: "msgs/s", p50: "µs/ack", p99: "µs/ack" },
        variants,
        ratios: [ratio("typed / raw", variants, "typed", "raw", "msgsPerSec")],
        notes: warnings.length > 0 ? [`the bus logged during the runs: ${warnings.slice(0, 5).join(" | ")}`] : [],
      });
    }
    return out;
  } finally {
    await c.close();
  }
}
