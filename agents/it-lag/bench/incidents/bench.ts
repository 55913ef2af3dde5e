/**
 * bench/incidents: what the incident worker sustains, against the raw bus of the same run.
 *
 *   1. throughput: 20,000 alerts (100 fingerprints: 100 incidents opened, the rest reminders), 1,000
 *      publishes in flight, until the worker has handled the last (a marker alert whose incident
 *      event is awaited: the consumer handles alerts in order). Raw: the same alerts to a durable
 *      consumer on another nats-server of the same binary whose handler only counts.
 *      Also the worst case: every alert a new incident (2,000, each on its own host).
 *   2. latency at 1,000 alerts/s for 5 s, one alert in ten a new incident (on its own host), the rest
 *      reminders of 100 firing alerts: from publishing a new incident's alert to receiving its
 *      `opened` event (two durable hops: alert → worker → incident stream → subscriber). Raw: the same
 *      alerts, from publishing to the raw consumer's handler (one hop).
 *
 * Everything runs in this one process (publisher, worker, subscriber), on one nats-server each.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchReport, Benchmark, Metrics, VariantSpec } from "@lag/bench";
import { compareVariants, ratio, summariseLatencies } from "@lag/bench";
import type { Bus } from "@lag/bus";
import { alert, defineConsumer, incidentChanged, itStream, type Alert } from "@lag/contracts";
import { memoryLogger, startTestNats, type TestNats } from "@lag/testing";
import { startWorker, type RunningWorker } from "@lag/worker";
import { incidentsWorker } from "../../src/workers/incidents/worker.ts";

const ALERTS = 20_000;
const FINGERPRINTS = 100;
const IN_FLIGHT = 1_000;
const RATE = 1_000;
const RATE_SECONDS = 5;
/** At the rate above, one alert in this many opens a new incident (the latency probes). */
const PROBE_EVERY = 10;
const NEW_INCIDENTS = 2_000;

let run = 0;

function alertOf(container: string, repeat: number, host = "bench"): Alert {
  return {
    fingerprint: `container-unhealthy/${host}/container=${container}`,
    rule: "container-unhealthy",
    host,
    status: "firing",
    severity: "high",
    summary: `container ${container} is unhealthy`,
    source: "container.healthy",
    value: 0,
    threshold: 0,
    labels: { container },
    startsAt: new Date().toISOString(),
    repeat,
  };
}

async function publishAll(bus: Bus, alerts: readonly Alert[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < alerts.length) await bus.publish(alert, alerts[next++]!);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
}

/**
 * Publishes at `RATE` per second, in 10 ms batches: one alert in `PROBE_EVERY` opens a new incident
 * (its own host; `sent` gets its send time), the others are reminders of `background` alerts
 * already firing, as a busy system's alert stream mostly is.
 */
async function publishAtRate(bus: Bus, tag: string, sent: Map<string, bigint>, background: readonly Alert[]): Promise<void> {
  const total = RATE * RATE_SECONDS;
  const perTick = RATE / 100;
  const t0 = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < total; i += perTick) {
    const due = t0 + (i / RATE) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (let j = i; j < i + perTick; j++) {
      if (j % PROBE_EVERY === 0) {
        const c = `${tag}-${j}`;
        sent.set(c, process.hrtime.bigint());
        pending.push(bus.publish(alert, alertOf(c, 0, `h-${c}`)));
      } else {
        const b = background[j % background.length]!;
        pending.push(bus.publish(alert, { ...b, repeat: j }));
      }
    }
  }
  await Promise.all(pending);
}

const until = (cond: () => boolean, ms: number, what: string) =>
  new Promise<void>((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => {
      if (cond()) return resolve();
      if (Date.now() - t0 > ms) return reject(new Error(`${what} not within ${ms} ms`));
      setTimeout(tick, 2);
    };
    tick();
  });

export const benchmark: Benchmark = {
  name: "incidents",
  description: "the incident worker: alerts/s it sustains and p99 alert → incident event at 1,000 alerts/s, against the raw bus",
  async run(ctx): Promise<BenchReport> {
    ctx.progress("starting two nats-servers and the incident worker");
    const natsA: TestNats = await startTestNats();
    const natsB: TestNats = await startTestNats();
    let worker: RunningWorker | undefined;
    try {
      await natsA.provisionStreams();
      const dir = mkdtempSync(join(tmpdir(), "lag-bench-incidents-"));
      const config = join(dir, "lag.yaml");
      writeFileSync(
        config,
        `dataDir: ${dir}\nlog: { level: warn }\nit:\n  monitor: { host: bench }\n  incidents: { runbooks: [], groupWait: 1h }\n`,
      );
      worker = await startWorker(incidentsWorker, {
        env: { LAG_CONFIG: config, NATS_URL: natsA.url },
        logger: memoryLogger("it-incidents").logger,
      });
      const pubA = await natsA.bus("it-monitor");
      const watcher = await natsA.bus("cli");
      const opened = new Map<string, bigint>();
      watcher.subscribe(incidentChanged, (d) => {
        if (d.data.entry.kind === "opened") opened.set(d.data.incident.group.container ?? "", process.hrtime.bigint());
      });
      await watcher.nc.flush();

      // The raw bus: the same alerts to a durable consumer that only counts, on its own server.
      const pubB = await natsB.bus("it-monitor");
      await pubB.ensureStreams([itStream]);
      const rawSeen = new Map<string, bigint>();
      let rawCount = 0;
      const rawBus = await natsB.bus("it-incidents");
      await rawBus.consume(
        defineConsumer({
          durable: "bench-raw",
          stream: itStream,
          principal: "it-incidents",
          events: [alert],
          description: "bench",
          maxDeliver: 5,
          ackWait: 30_000,
        }),
        (d) => {
          rawCount++;
          const a = d.data as Alert;
          if (!rawSeen.has(a.labels.container!)) rawSeen.set(a.labels.container!, process.hrtime.bigint());
        },
      );

      const batch = (tag: string, n: number) => {
        const out: Alert[] = [];
        for (let i = 0; i < n; i++) out.push(alertOf(`${tag}-${i % FINGERPRINTS}`, i < FINGERPRINTS ? 0 : Math.floor(i / FINGERPRINTS)));
        return out;
      };
      const throughput: VariantSpec[] = [
        {
          name: "incident worker",
          description: "alerts into incidents (store, outbox, incident events), until the last one is handled",
          run: async (phase) => {
            const n = phase === "warmup" ? ALERTS / 5 : ALERTS;
            const tag = `t${run++}`;
            const marker = `${tag}-marker`;
            const t0 = process.hrtime.bigint();
            await publishAll(pubA, [...batch(tag, n), alertOf(marker, 0)]);
            await until(() => opened.has(marker), 120_000, "the marker's incident");
            return { alertsPerSec: (n + 1) / (Number(process.hrtime.bigint() - t0) / 1e9) };
          },
        },
        {
          name: "every alert a new incident",
          description: `${NEW_INCIDENTS.toLocaleString("en")} alerts, each opening an incident on its own host (the worst case)`,
          run: async (phase) => {
            const n = phase === "warmup" ? NEW_INCIDENTS / 5 : NEW_INCIDENTS;
            const tag = `n${run++}`;
            const alerts = Array.from({ length: n }, (_, i) => alertOf(`${tag}-${i}`, 0, `h-${tag}-${i}`));
            const t0 = process.hrtime.bigint();
            await publishAll(pubA, alerts);
            await until(() => alerts.every((a) => opened.has(a.labels.container!)), 120_000, "every new incident");
            return { alertsPerSec: n / (Number(process.hrtime.bigint() - t0) / 1e9) };
          },
        },
        {
          name: "raw bus",
          description: "the same alerts to a durable consumer whose handler only counts",
          run: async (phase) => {
            const n = phase === "warmup" ? ALERTS / 5 : ALERTS;
            const tag = `t${run++}`;
            const target = rawCount + n + 1;
            const t0 = process.hrtime.bigint();
            await publishAll(pubB, [...batch(tag, n), alertOf(`${tag}-marker`, 0)]);
            await until(() => rawCount >= target, 120_000, "the raw consumer");
            return { alertsPerSec: (n + 1) / (Number(process.hrtime.bigint() - t0) / 1e9) };
          },
        },
      ];
      const tv = await compareVariants(ctx, "throughput", "alertsPerSec", throughput, (m) => `${Math.round(m.alertsPerSec!)} alerts/s`);

      const background = Array.from({ length: FINGERPRINTS }, (_, i) => alertOf(`bg-${i}`, 0));
      for (const b of background) await pubA.publish(alert, b);
      const latencyOf = async (bus: Bus, seen: Map<string, bigint>): Promise<Metrics> => {
        const tag = `l${run++}`;
        const sent = new Map<string, bigint>();
        await publishAtRate(bus, tag, sent, background);
        await until(() => [...sent.keys()].every((c) => seen.has(c)), 60_000, "every alert's arrival");
        const l = summariseLatencies([...sent].map(([c, t]) => seen.get(c)! - t));
        return { p50: l.p50 / 1000, p99: l.p99 / 1000, max: l.max / 1000 };
      };
      const latency: VariantSpec[] = [
        {
          name: "incident worker",
          description: "a new incident's alert published → its opened event received, among reminders of 100 firing alerts",
          run: () => latencyOf(pubA, opened),
        },
        { name: "raw bus", description: "the same alerts → the raw consumer's handler", run: () => latencyOf(pubB, rawSeen) },
      ];
      const lv = await compareVariants(ctx, "latency", "p99", latency, (m) => `p99 ${m.p99!.toFixed(2)} ms`);
      const p99 = lv.find((v) => v.name === "incident worker")!.median.p99!;
      return {
        facts: {
          alerts: ALERTS,
          fingerprints: FINGERPRINTS,
          "in flight": IN_FLIGHT,
          rate: `${RATE}/s for ${RATE_SECONDS} s`,
          where: "publisher, worker and subscriber in one process; nats-server default sync",
        },
        measurements: [
          {
            id: "incidents-throughput",
            title: `Alerts handled per second (${ALERTS.toLocaleString("en")} alerts, ${FINGERPRINTS} fingerprints)`,
            key: "alertsPerSec",
            units: { alertsPerSec: "alerts/s" },
            variants: tv,
            ratios: [
              ratio("incident worker / raw bus", tv, "incident worker", "raw bus", "alertsPerSec"),
              ratio("every alert a new incident / raw bus", tv, "every alert a new incident", "raw bus", "alertsPerSec"),
            ],
            notes: [
              `goal ≥ 5,000 alerts/s: ${tv.find((v) => v.name === "incident worker")!.median.alertsPerSec! >= 5_000 ? "met" : "NOT met"}`,
            ],
          },
          {
            id: "incidents-latency",
            title: `Alert → incident event at ${RATE.toLocaleString("en")} alerts/s (one in ${PROBE_EVERY} a new incident, measured on those)`,
            key: "p99",
            units: { p50: "ms", p99: "ms", max: "ms" },
            variants: lv,
            ratios: [ratio("incident worker / raw bus (p99)", lv, "incident worker", "raw bus", "p99")],
            notes: [`goal p99 ≤ 20 ms: ${p99 <= 20 ? "met" : "NOT met"} (${p99.toFixed(2)} ms)`],
          },
        ],
      };
    } finally {
      await worker?.shutdown("bench").catch(() => undefined);
      await Promise.allSettled([natsA.stop(), natsB.stop()]);
    }
  },
};
