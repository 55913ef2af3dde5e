import { hostname } from "node:os";
import { DeadlineError, withDeadline } from "@lag/async";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import type { Service } from "@nats-io/services";
import {
  catalog,
  type ConsumerDescriptor,
  type EndpointDescriptor,
  type EventDescriptor,
  type InferEvent,
  type InferReply,
  type InferRequest,
  type Principal,
  type ServiceDescriptor,
  type StreamDescriptor,
} from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { EventMeta } from "./codec.ts";
import { openConnection, type ConnectOptions } from "./connect.ts";
import { consumeDurable, type ConsumeHandle } from "./consume.ts";
import { ensureConsumer, ensureStream, requireStream, type StreamOptions } from "./jetstream.ts";
import { emitEvent, publishEvent, type Published } from "./publish.ts";
import { requestEndpoint, type RequestOptions } from "./request.ts";
import { serveService, type ServeOptions, type ServiceHandlers } from "./service.ts";
import { subscribeEvent, type Handler, type SubscribeOptions, type SubscriptionContext } from "./subscribe.ts";
import { watchConnection } from "./connection-events.ts";
import { sourceOf } from "./source.ts";

export interface BusOptions extends ConnectOptions {
  logger: Logger;
  /** CloudEvents `source` of this process; defaults to `/lag/<principal>/<hostname>`. */
  source?: string;
  streams?: StreamOptions;
  /** How long a durable publish retries a stream that does not answer (default 30 s). */
  publishRetryMs?: number;
}

/**
 * The typed bus every agent uses. Everything that goes out is checked against its contract first;
 * everything that comes in is checked before a handler sees it.
 */
export class Bus {
  readonly js: JetStreamClient;
  private jsmCache?: Promise<JetStreamManager>;
  private readonly services: Service[] = [];
  private readonly consumers: ConsumeHandle[] = [];
  private readonly subs: Subscription[] = [];
  readonly source: string;
  private readonly ctx: SubscriptionContext;

  private constructor(
    readonly nc: NatsConnection,
    readonly principal: Principal,
    readonly log: Logger,
    source: string,
    private readonly streamOptions: StreamOptions,
    private readonly publishRetryMs: number | undefined,
  ) {
    this.js = jetstream(nc, { timeout: 10_000 });
    this.source = source;
    this.ctx = { nc, js: this.js, principal, log };
  }

  static async connect(opts: BusOptions): Promise<Bus> {
    const nc = await openConnection(opts);
    const log = opts.logger.child({ component: "bus" });
    watchConnection(nc, log);
    log.info({ server: nc.getServer(), version: nc.info?.version }, "connected to NATS");
    return new Bus(nc, opts.principal, log, opts.source ?? sourceOf(opts.principal, hostname()), opts.streams ?? {}, opts.publishRetryMs);
  }

  jsm(): Promise<JetStreamManager> {
    this.jsmCache ??= jetstreamManager(this.nc, { timeout: 10_000 }).catch((err: unknown) => {
      // Not cached when it fails (JetStream not ready yet, a cluster still electing its leader):
      // the next call asks the server again instead of failing forever.
      this.jsmCache = undefined;
      throw err;
    });
    return this.jsmCache;
  }

  /**
   * Makes sure the given streams are there: those this principal owns (by the contracts) are
   * created or put back to their contract; the others must exist already (StreamMissingError
   * otherwise: their owner creates them). With no argument: the streams this principal publishes
   * to or consumes from, and the dead-letter stream when it owns it.
   */
  async ensureStreams(streams?: readonly StreamDescriptor[]): Promise<void> {
    const jsm = await this.jsm();
    const all = streams ?? this.streamsUsed();
    // Its own first: two processes that each wait for the other's stream would otherwise wait forever.
    for (const s of all) if (s.owner === this.principal) await ensureStream(jsm, s, { ...this.streamOptions, log: this.log });
    for (const s of all) if (s.owner !== this.principal) await requireStream(jsm, s);
  }

  /** The streams this principal writes or reads through its own consumers, and those it owns. */
  streamsUsed(): StreamDescriptor[] {
    const out = new Map<string, StreamDescriptor>();
    for (const s of catalog.streams) if (s.owner === this.principal) out.set(s.name, s);
    for (const e of catalog.events) if (e.stream && e.publisher === this.principal) out.set(e.stream.name, e.stream);
    for (const c of catalog.consumers) if (c.principal === this.principal) out.set(c.stream.name, c.stream);
    return [...out.values()];
  }

  /**
   * Publishes an event: durable ones resolve once their stream stored them (retried with the same
   * id while the stream does not answer, up to `publishRetryMs`), core ones at once.
   */
  publish<E extends EventDescriptor>(event: E, data: InferEvent<E>, meta: Omit<EventMeta, "source"> = {}): Promise<Published> {
    return publishEvent(this.nc, this.js, event, data, { ...meta, source: this.source }, { log: this.log, retryMs: this.publishRetryMs });
  }

  /** Synchronous publish of a core event (see emitEvent): for high-rate events such as metrics. */
  emit<E extends EventDescriptor>(event: E, data: InferEvent<E>, meta: Omit<EventMeta, "source"> = {}): Published {
    return emitEvent(this.nc, event, data, { ...meta, source: this.source });
  }

  subscribe<E extends EventDescriptor>(event: E, handler: Handler<InferEvent<E>>, opts: SubscribeOptions<E["subject"]> = {}): Subscription {
    const sub = subscribeEvent(this.ctx, event, handler, opts);
    this.subs.push(sub);
    return sub;
  }

  /** Ensures the durable consumer (and its stream) from contracts, then processes it. */
  async consume(consumer: ConsumerDescriptor, handler: Handler<unknown>): Promise<ConsumeHandle> {
    await this.ensureStreams([consumer.stream]);
    await ensureConsumer(await this.jsm(), consumer, this.log);
    const h = await consumeDurable(this.ctx, consumer, handler);
    this.consumers.push(h);
    return h;
  }

  request<E extends EndpointDescriptor>(endpoint: E, data: InferRequest<E>, opts?: RequestOptions): Promise<InferReply<E>> {
    return requestEndpoint(this.nc, this.source, endpoint, data, opts);
  }

  async serve<S extends ServiceDescriptor>(service: S, handlers: ServiceHandlers<S>, opts?: ServeOptions): Promise<Service> {
    const srv = await serveService(this.nc, this.log, service, handlers, opts);
    this.services.push(srv);
    return srv;
  }

  /**
   * Stops taking work: services stop answering, subscriptions end, consumers stop fetching and the
   * message each is handling is finished (and acked) first. Publishing still works afterwards.
   */
  async quiesce(): Promise<void> {
    await Promise.allSettled(this.services.splice(0).map((s) => s.stop()));
    for (const s of this.subs.splice(0)) s.unsubscribe();
    await Promise.allSettled(this.consumers.splice(0).map((c) => c.stop()));
  }

  /**
   * quiesce(), then drain the connection so everything published so far reaches the server. While
   * the server is unreachable a drain cannot finish: after `timeoutMs` the connection is closed
   * (core messages still buffered are lost; durable ones were never acknowledged, so their
   * publishers know).
   */
  async drain(timeoutMs = 10_000): Promise<void> {
    if (this.nc.isClosed()) return;
    await this.quiesce();
    if (this.nc.isClosed() || this.nc.isDraining()) return;
    const outcome = await withDeadline(timeoutMs, () => this.nc.drain().then(() => "drained" as const)).catch((err: unknown) => {
      if (err instanceof DeadlineError) return "timeout" as const;
      this.log.warn({ err }, "drain failed; closing the connection");
      return "failed" as const;
    });
    if (outcome === "drained") {
      this.log.info("bus drained");
      return;
    }
    if (outcome === "timeout") this.log.warn({ timeoutMs }, "NATS unreachable: could not drain in time; closing the connection");
    await this.nc.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (!this.nc.isClosed()) await this.nc.close();
  }
}
