import { randomUUID } from "node:crypto";
import type { NatsConnection } from "@nats-io/transport-node";
import type { Bus } from "@lag/bus";
import { filterSubject, type EventDescriptor, type InferEvent } from "@lag/contracts";
import { compareVariants, ratio, type BenchContext, type Measurement, type Metrics, type VariantSpec } from "../harness/benchmark.ts";
import { busWarnings, openClients } from "./clients.ts";
import { Counter } from "./counter.ts";
import { wireBytes } from "./payload.ts";

export interface ThroughputOptions {
  id: string;
  title: string;
  event: EventDescriptor;
  data: unknown;
  messages: number;
  /** The goal, when this measurement is the one the issue states it for. */
  goal?: { statement: string; limit: number };
  /** Also run the variants that split the typed cost into its publish and receive halves. */
  breakdown?: boolean;
}

/** Publishes are flushed (a PING/PONG round trip) every BATCH messages… */
const BATCH = 1_000;
/**
 * …and the publisher waits whenever the receiver is more than MAX_LAG messages behind. Publisher
 * and receiver share one event loop; without this bound the publisher would run ahead, the server
 * would queue megabytes for the receiver and cut it off as a slow consumer. Every variant is paced
 * the same way, so the pacing is part of what all of them are measured with.
 */
const MAX_LAG = 10_000;

interface Publisher {
  /** Returns a promise only when the API is asynchronous. */
  publish(): void | Promise<unknown>;
  /**
   * true: each publish is awaited before the next, as a caller of `await bus.publish(…)` does.
   * false: a batch's publishes are started together and awaited at once (Promise.all).
   */
  awaitEach: boolean;
  flush(): Promise<void>;
}

interface Receiver {
  /** Starts counting deliveries; resolves once the server has the subscription. Returns its stop. */
  subscribe(counter: Counter): Promise<() => Promise<void>>;
}

async function pump(pub: Publisher, recv: Receiver, n: number): Promise<Metrics> {
  const counter = new Counter();
  const unsubscribe = await recv.subscribe(counter);
  const pending: Promise<unknown>[] = [];
  const t0 = process.hrtime.bigint();
  let i = 0;
  while (i < n) {
    const end = Math.min(n, i + BATCH);
    for (; i < end; i++) {
      const p = pub.publish();
      if (p) {
        if (pub.awaitEach) await p;
        else pending.push(p);
      }
    }
    if (pending.length > 0) {
      await Promise.all(pending);
      pending.length = 0;
    }
    await pub.flush();
    if (i - counter.count > MAX_LAG) await counter.reached(i - MAX_LAG / 2);
  }
  await counter.reached(n);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await unsubscribe();
  return { msgsPerSec: n / seconds, seconds };
}

function typedPublisher(bus: Bus, event: EventDescriptor, data: unknown, awaitEach: boolean): Publisher {
  return { publish: () => bus.publish(event, data as InferEvent<typeof event>), awaitEach, flush: () => bus.nc.flush() };
}

/** bus.emit: the synchronous publish for core events, what a high-rate publisher (metrics) uses. */
function typedEmitter(bus: Bus, event: EventDescriptor, data: unknown): Publisher {
  return { publish: () => void bus.emit(event, data as InferEvent<typeof event>), awaitEach: false, flush: () => bus.nc.flush() };
}

function rawPublisher(nc: NatsConnection, subject: string, bytes: Uint8Array): Publisher {
  return { publish: () => nc.publish(subject, bytes), awaitEach: true, flush: () => nc.flush() };
}

/**
 * What a raw nats.js user who sends JSON does: build the envelope object and JSON.stringify it for
 * every message (a fresh id and time each, as the bus does), publish the string.
 */
function rawJsonPublisher(nc: NatsConnection, subject: string, envelope: Record<string, unknown>): Publisher {
  return {
    publish: () => nc.publish(subject, JSON.stringify({ ...envelope, id: randomUUID(), time: new Date().toISOString() })),
    awaitEach: true,
    flush: () => nc.flush(),
  };
}

/** …and on the other side JSON.parse every message in the callback, reading its data. */
function rawJsonReceiver(nc: NatsConnection, filter: string): Receiver {
  return {
    async subscribe(counter) {
      const sub = nc.subscribe(filter, {
        callback: (_e, m) => {
          if ((m.json() as { data?: unknown }).data !== undefined) counter.hit();
        },
      });
      await nc.flush();
      return async () => {
        sub.unsubscribe();
        await nc.flush();
      };
    },
  };
}

/** Only valid deliveries reach the handler, so counting in it counts validated messages. */
function typedReceiver(bus: Bus, event: EventDescriptor): Receiver {
  return {
    async subscribe(counter) {
      const sub = bus.subscribe(event, () => counter.hit());
      await bus.nc.flush();
      return async () => {
        sub.unsubscribe();
        await bus.nc.flush();
      };
    },
  };
}

/**
 * The raw baseline receives with a callback, the fastest way nats.js offers (the goal is checked
 * against it); the async-iterator form, which the bus uses inside, is measured too, to show how
 * much of a gap is the delivery style rather than validation.
 */
function rawReceiver(nc: NatsConnection, filter: string, mode: "callback" | "iterator"): Receiver {
  return {
    async subscribe(counter) {
      const sub = mode === "callback" ? nc.subscribe(filter, { callback: () => counter.hit() }) : nc.subscribe(filter);
      if (mode === "iterator") {
        void (async () => {
          for await (const _m of sub) counter.hit();
        })();
      }
      await nc.flush();
      return async () => {
        sub.unsubscribe();
        await nc.flush();
      };
    },
  };
}

/**
 * End-to-end core NATS throughput: N messages published, measured until the last one is received.
 * typed = bus.publish (validate, envelope, JSON) → bus.subscribe (JSON, envelope and data validated,
 * handler called with a Delivery); raw = nc.publish of the same bytes, encoded once → a raw
 * subscription on the same filter counting messages in its callback.
 */
export async function measureThroughput(
  ctx: BenchContext,
  o: ThroughputOptions,
): Promise<{ measurement: Measurement; bytes: number; serverVersion: string }> {
  const c = await openClients();
  try {
    const pubBus = await c.typed("it-monitor");
    const subBus = await c.typed("ceo");
    const rawPub = await c.raw("pub");
    const rawSub = await c.raw("sub");
    const { subject, bytes } = wireBytes(o.event, o.data as never);
    const envelope = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    const filter = filterSubject(o.event.subject);

    const typedEach = typedPublisher(pubBus, o.event, o.data, true);
    const typedEmit = typedEmitter(pubBus, o.event, o.data);
    const raw = rawPublisher(rawPub, subject, bytes);
    const typedRecv = typedReceiver(subBus, o.event);
    const rawRecv = rawReceiver(rawSub, filter, "callback");
    const variant = (name: string, description: string, pub: Publisher, recv: Receiver): VariantSpec => ({
      name,
      description,
      run: (phase) => pump(pub, recv, phase === "warmup" ? o.messages / 10 : o.messages),
    });
    const specs: VariantSpec[] = [
      variant("typed", "bus.emit (validated, enveloped) → bus.subscribe (validated)", typedEmit, typedRecv),
      variant("raw", "nc.publish(bytes) → nc.subscribe callback", raw, rawRecv),
      variant(
        "raw-json",
        "nc.publish(JSON.stringify(envelope)) → callback JSON.parse",
        rawJsonPublisher(rawPub, subject, envelope),
        rawJsonReceiver(rawSub, filter),
      ),
    ];
    if (o.breakdown) {
      specs.push(
        variant("typed-await", "await bus.publish each → bus.subscribe", typedEach, typedRecv),
        variant(
          "typed-batch",
          "bus.publish × batch, Promise.all → bus.subscribe",
          typedPublisher(pubBus, o.event, o.data, false),
          typedRecv,
        ),
        variant("typed-pub", "bus.emit → raw callback", typedEmit, rawRecv),
        variant("typed-sub", "raw nc.publish → bus.subscribe", raw, typedRecv),
        variant("raw-iter", "nc.publish(bytes) → for await (m of sub)", raw, rawReceiver(rawSub, filter, "iterator")),
      );
    }

    const logFrom = c.log.lines.length;
    const fmt = (m: Metrics) => `${Math.round(m.msgsPerSec!).toLocaleString("en")} msgs/s`;
    const variants = await compareVariants(ctx, o.title, "msgsPerSec", specs, fmt);
    for (const v of variants) for (const m of v.runs) m.mbPerSec = (m.msgsPerSec! * bytes.length) / 1e6;
    const warnings = busWarnings(c.log, logFrom);
    const goal = o.goal ? { statement: o.goal.statement, op: ">=" as const, limit: o.goal.limit } : undefined;
    const ratios = [
      ratio("typed / raw+JSON", variants, "typed", "raw-json", "msgsPerSec", goal),
      ratio("typed / raw", variants, "typed", "raw", "msgsPerSec"),
      ratio("raw+JSON / raw", variants, "raw-json", "raw", "msgsPerSec"),
    ];
    if (o.breakdown) {
      for (const name of ["typed-await", "typed-batch", "typed-pub", "typed-sub", "raw-iter"]) {
        ratios.push(ratio(`${name} / raw`, variants, name, "raw", "msgsPerSec"));
      }
    }
    return {
      bytes: bytes.length,
      serverVersion: c.serverVersion(),
      measurement: {
        id: o.id,
        title: `${o.title}: ${o.messages.toLocaleString("en")} messages of ${bytes.length} B, flushed every ${BATCH}`,
        key: "msgsPerSec",
        units: { msgsPerSec: "msgs/s", mbPerSec: "MB/s", seconds: "s" },
        variants,
        ratios,
        notes: warnings.length > 0 ? [`the bus logged during the runs: ${warnings.slice(0, 5).join(" | ")}`] : [],
      },
    };
  } finally {
    await c.close();
  }
}
