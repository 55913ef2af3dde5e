/**
 * bench/cluster: what durability costs JetStream publishing, in one run: one node (R1) and the
 * generated three-node cluster (R3), each with the server's default (fsync every 2 minutes) and
 * with `sync_interval: always` (what the production configs set: acknowledged means on disk),
 * publishes awaited one by one and 1,000 in flight. Ratios are against R1 with the default.
 */
import type { Bus } from "@lag/bus";
import { alert, itStream, type Alert } from "@lag/contracts";
import { startTestCluster, startTestNats, type TestCluster, type TestNats } from "@lag/testing";
import {
  compareVariants,
  ratio,
  summariseLatencies,
  type BenchReport,
  type Benchmark,
  type Metrics,
  type VariantSpec,
} from "../harness/index.ts";

const AWAITED = 1_000;
const PIPELINED = 10_000;
const IN_FLIGHT = 1_000;

const data: Alert = { ...alert.example, rule: "bench", fingerprint: "bench" };

async function publishAll(bus: Bus, n: number, inFlight: number): Promise<Metrics> {
  let next = 0;
  const latencies: bigint[] = [];
  const t0 = process.hrtime.bigint();
  const worker = async () => {
    while (next < n) {
      next++;
      const s = process.hrtime.bigint();
      await bus.publish(alert, data);
      latencies.push(process.hrtime.bigint() - s);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, worker));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const l = summariseLatencies(latencies);
  return { msgsPerSec: n / seconds, p50: l.p50, p99: l.p99 };
}

interface Setup {
  name: string;
  description: string;
  bus: Bus;
  purge(): Promise<void>;
}

async function single(syncAlways: boolean): Promise<{ nats: TestNats; setup: Setup }> {
  const nats = await startTestNats({
    config: `host: 127.0.0.1\njetstream {\n  store_dir: $LAG_JS_DIR\n${syncAlways ? "  sync_interval: always\n" : ""}}\n`,
  });
  const bus = await nats.bus("it-monitor");
  await bus.ensureStreams([itStream]);
  const jsm = await bus.jsm();
  return {
    nats,
    setup: {
      name: syncAlways ? "R1 sync always" : "R1",
      description: `one node, ${syncAlways ? "sync_interval: always" : "the server's default sync (every 2 min)"}`,
      bus,
      purge: async () => void (await jsm.streams.purge(itStream.name)),
    },
  };
}

async function replicated(syncAlways: boolean): Promise<{ cluster: TestCluster; setup: Setup }> {
  const cluster = await startTestCluster({ syncAlways });
  const bus = await cluster.bus("it-monitor", { replicas: 3 });
  for (let i = 0; ; i++) {
    try {
      await bus.ensureStreams([itStream]);
      break;
    } catch (err) {
      if (i > 60) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  // Purging is the admin's: the monitor, LAG_IT's owner, may create and update it, never purge it.
  const jsm = await (await cluster.admin()).jsm();
  return {
    cluster,
    setup: {
      name: syncAlways ? "R3 sync always" : "R3",
      description: `the generated 3-node cluster, stream R3, ${syncAlways ? "sync_interval: always (as generated)" : "the server's default sync"}`,
      bus,
      purge: async () => void (await jsm.streams.purge(itStream.name)),
    },
  };
}

export const benchmark: Benchmark = {
  name: "cluster",
  description: "JetStream publishing on one node and on the 3-node cluster, with the default fsync and with sync_interval: always",
  async run(ctx): Promise<BenchReport> {
    ctx.progress("starting two single nodes and two 3-node clusters");
    const r1 = await single(false);
    const r1s = await single(true);
    const r3 = await replicated(false);
    const r3s = await replicated(true);
    const setups = [r1.setup, r1s.setup, r3.setup, r3s.setup];
    try {
      const measurements = [];
      for (const [id, n, inFlight] of [
        ["cluster-awaited", AWAITED, 1],
        ["cluster-pipelined", PIPELINED, IN_FLIGHT],
      ] as const) {
        const specs: VariantSpec[] = setups.map((s) => ({
          name: s.name,
          description: s.description,
          run: async (phase) => {
            await s.purge();
            return publishAll(s.bus, phase === "warmup" ? n / 5 : n, inFlight);
          },
        }));
        const title =
          inFlight === 1
            ? "JetStream publish (bus.publish), awaited one by one"
            : `JetStream publish (bus.publish), ${IN_FLIGHT} in flight`;
        const variants = await compareVariants(
          ctx,
          title,
          "msgsPerSec",
          specs,
          (m) => `${Math.round(m.msgsPerSec!).toLocaleString("en")} msgs/s`,
        );
        measurements.push({
          id,
          title: `${title}: ${n.toLocaleString("en")} alerts`,
          key: "msgsPerSec",
          units: { msgsPerSec: "msgs/s", p50: "µs/ack", p99: "µs/ack" },
          variants,
          ratios: setups.slice(1).map((s) => ratio(`${s.name} / R1`, variants, s.name, "R1", "msgsPerSec")),
          notes: [],
        });
      }
      return {
        facts: {
          "nats-server": r1.nats.server.child.spawnfile,
          stores: "each node's JetStream store in its own temp folder on the same disk",
        },
        measurements,
      };
    } finally {
      await Promise.allSettled([r1.nats.stop(), r1s.nats.stop(), r3.cluster.stop(), r3s.cluster.stop()]);
    }
  },
};
