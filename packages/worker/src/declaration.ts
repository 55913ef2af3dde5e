import type { Subscription } from "@nats-io/nats-core";
import type { Service } from "@nats-io/services";
import type { Clock, Schedule, Scheduler } from "@lag/async";
import type { Bus, Handler, ServeOptions, ServiceHandlers, SubscribeOptions } from "@lag/bus";
import type { CommonConfig } from "@lag/config";
import type { ConsumerDescriptor, EventDescriptor, InferEvent, Principal, ServiceDescriptor, StreamDescriptor } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Store } from "@lag/store";
import type { z } from "zod";
import type { ConfigSection } from "./config.ts";
import type { Outbox } from "./outbox.ts";

export type Common = z.infer<typeof CommonConfig>;
export type Tables = Record<string, unknown>;

export interface WorkerContext<T, D extends Tables = Tables> {
  /** This worker's own section of the configuration (`it.monitor`, `ceo` …). */
  config: T;
  /** Settings every process shares: data dir, log, NATS, JetStream. */
  common: Common;
  bus: Bus;
  log: Logger;
  /** Absolute data directory of this installation. */
  dataDir: string;
  /**
   * Its own SQLite file, migrated, when the declaration names one; closed at shutdown. With
   * `degradable: true` and the file unavailable (a full or read-only disk), reading this throws
   * StoreUnavailableError: use `tryStore()`.
   */
  store: Store<D>;
  /**
   * The store when it is open, else one more attempt to open it (a degradable store that failed at
   * start: the disk may have room again), else undefined. Callers decide how often to try.
   */
  tryStore(): Store<D> | undefined;
  /** Why the store is unavailable, while it is. */
  storeProblem(): Error | undefined;
  /**
   * Durable events that must not be lost, kept (in `<name>.outbox.jsonl`, a journal) until their stream
   * acknowledged them — across outages, elections and restarts; sent every 2 s while not empty.
   */
  outbox: Outbox;
  /** For work scheduled at run time; the declared schedules run on it too. Stopped first at shutdown. */
  scheduler: Scheduler;
  clock: Clock;
  /** Aborted when the process is asked to stop. */
  signal: AbortSignal;
}

/** A durable consumer and the handler of its messages. */
export interface ConsumerBinding {
  readonly kind: "consumer";
  readonly consumer: ConsumerDescriptor;
  readonly handle: Handler<unknown>;
}

/** A core subscription, attached once the worker is set up. */
export interface SubscriptionBinding {
  readonly kind: "subscription";
  readonly event: EventDescriptor;
  attach(bus: Bus): Subscription;
}

/** A micro service and its handlers. */
export interface ServiceBinding {
  readonly kind: "service";
  readonly service: ServiceDescriptor;
  attach(bus: Bus): Promise<Service>;
}

/** Work on an interval or a cron schedule; runs never overlap, failures are logged. */
export interface ScheduleBinding {
  readonly kind: "schedule";
  readonly name: string;
  readonly schedule: Schedule;
  readonly run: () => Promise<void> | void;
}

export type Binding = ConsumerBinding | SubscriptionBinding | ServiceBinding | ScheduleBinding;

export function consume(consumer: ConsumerDescriptor, handle: Handler<unknown>): ConsumerBinding {
  return { kind: "consumer", consumer, handle };
}

export function subscribe<E extends EventDescriptor>(
  event: E,
  handler: Handler<InferEvent<E>>,
  opts?: SubscribeOptions<E["subject"]>,
): SubscriptionBinding {
  return { kind: "subscription", event, attach: (bus) => bus.subscribe(event, handler, opts) };
}

export function serve<S extends ServiceDescriptor>(service: S, handlers: ServiceHandlers<S>, opts?: ServeOptions): ServiceBinding {
  return { kind: "service", service, attach: (bus) => bus.serve(service, handlers, opts) };
}

export function schedule(name: string, when: Schedule, run: () => Promise<void> | void): ScheduleBinding {
  return { kind: "schedule", name, schedule: when, run };
}

/**
 * What a LAG process is, declared once; `runWorker` does the wiring (after Moleculer's service
 * schema and Temporal's worker options): load and validate the configuration → connect → make
 * sure its streams exist (creating those it owns) → wait for the services it depends on → open
 * and migrate its SQLite file → `setup` → attach subscriptions, consumers, services and
 * schedules → `started`. On SIGINT/SIGTERM: schedules stop, then services, subscriptions and
 * consumers (the message in hand is finished and acked), then `stopping`, then the bus drains
 * and the store closes; exit 0.
 */
export interface WorkerDeclaration<T, S, D extends Tables = Tables> {
  /** Process name: log name, NATS connection name, launcher name. */
  name: string;
  principal: Principal;
  config: ConfigSection<T>;
  /** Streams it publishes to, beyond those its consumers read. */
  streams?: readonly StreamDescriptor[];
  /** Services it calls: setup waits until each one answers discovery (with back-off, logged). */
  dependsOn?: readonly ServiceDescriptor[];
  /** Its own SQLite file under the data dir, migrated from its own migrations folder. */
  store?: {
    schema: D;
    migrationsFolder: string;
    /** File name without `.sqlite`; the process name by default. */
    file?: (config: T) => string;
    /**
     * The worker can do its main job without it (the monitor's history): when the file cannot be
     * opened (a full or read-only disk) the worker starts anyway, says so, and retries with tryStore().
     */
    degradable?: boolean;
  };
  /** Builds the worker's state: its domain objects, the first round of work. */
  setup(ctx: WorkerContext<T, D>): Promise<S> | S;
  /** What it does once set up. Attached in this order; detached in the reverse order at shutdown. */
  bindings?(state: S, ctx: WorkerContext<T, D>): readonly Binding[];
  /** After every binding is attached. */
  started?(state: S, ctx: WorkerContext<T, D>): Promise<void> | void;
  /**
   * After schedules, services, subscriptions and consumers have stopped (their in-flight work
   * finished) and before the bus drains: finish or abandon the worker's own work, flush state.
   */
  stopping?(state: S, ctx: WorkerContext<T, D>): Promise<void> | void;
}

/** Declares a worker; the identity function, there for type inference. */
export function defineWorker<T, S, D extends Tables = Tables>(d: WorkerDeclaration<T, S, D>): WorkerDeclaration<T, S, D> {
  return d;
}
