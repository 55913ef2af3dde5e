import { JetStreamApiError, type JetStreamClient } from "@nats-io/jetstream";
import { RequestError, TimeoutError, type NatsConnection } from "@nats-io/nats-core";
import { backoffDelay, sleep } from "@lag/async";
import type { EventDescriptor, InferEvent } from "@lag/contracts";
import type { Logger } from "@lag/log";
import { encodeEvent, type EventMeta } from "./codec.ts";
import { BusError } from "./errors.ts";

export interface Published {
  id: string;
  subject: string;
  /** Set for durable events: where JetStream stored it, and whether it was a duplicate id. */
  stream?: string;
  sequence?: number;
  duplicate?: boolean;
}

/** How long a durable publish keeps retrying a stream that does not answer (a leader election is seconds). */
export const DEFAULT_PUBLISH_RETRY_MS = 30_000;
/** Each attempt waits this long for the stream's ack. */
const ATTEMPT_TIMEOUT_MS = 5_000;

/** A durable publish that no server stored within its retry time; the message says why. */
export class PublishUnavailableError extends BusError {
  override readonly name = "PublishUnavailableError";
  constructor(message: string, options?: { cause?: unknown }) {
    super("LAG_STREAM_UNAVAILABLE", message, options);
  }
}

/**
 * Publishes a core (non-durable) event synchronously. High-rate publishers use this: awaiting a
 * promise per message would make nats.js flush (one socket write) per message, since it flushes
 * its buffer on the next microtask. Throws ContractError on bad data, BusError for durable events.
 */
export function emitEvent<E extends EventDescriptor>(nc: NatsConnection, event: E, data: InferEvent<E>, meta: EventMeta): Published {
  if (event.stream) {
    throw new BusError(
      "LAG_DURABLE_EMIT",
      `${event.type} is durable (stream ${event.stream.name}): publish it with bus.publish and await its ack`,
    );
  }
  const { subject, envelope, payload } = encodeEvent(event, data, meta);
  nc.publish(subject, payload);
  return { id: envelope.id, subject };
}

/**
 * Why a stream did not store a publish, when trying again can help: nobody answers for it (its
 * leader is being elected, too few cluster nodes are up, the connection is down) or JetStream says
 * it is unavailable for now. Undefined for an answer that will not change (a permission, a bad
 * subject). nats.js reports "no responders" as "jetstream is not enabled", which misleads.
 */
export function retryableCause(err: unknown, stream: string): string | undefined {
  // nats.js does not export its JetStreamNotEnabled class; its name is what it gives.
  if ((err instanceof Error && err.name === "JetStreamNotEnabled") || (err instanceof RequestError && err.isNoResponders())) {
    return `no server answers for stream ${stream} (its leader is being elected, or too few nodes are up)`;
  }
  if (err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError)) {
    return `stream ${stream} did not acknowledge in time (NATS unreachable, or a leader election)`;
  }
  if (err instanceof JetStreamApiError && err.status === 503) return `stream ${stream} is unavailable: ${err.message}`;
  if (err instanceof Error && /connection (closed|draining)|disconnect/i.test(err.message)) return `no connection to NATS (${err.message})`;
  return undefined;
}

export interface DurableOptions {
  log: Logger;
  /** How long to keep retrying a stream that does not answer; DEFAULT_PUBLISH_RETRY_MS when absent. */
  retryMs?: number;
  signal?: AbortSignal;
}

/**
 * Publishes one event. Durable events (those whose contract names a stream) go through JetStream
 * with `Nats-Msg-Id` = envelope id and resolve once stored; while the stream does not answer (a
 * leader election, a node down, a reconnect) the same message is sent again with the same id —
 * de-duplication makes that safe — for up to `retryMs`, the real cause logged once. Others are
 * fire-and-forget on core NATS.
 */
export async function publishEvent<E extends EventDescriptor>(
  nc: NatsConnection,
  js: JetStreamClient,
  event: E,
  data: InferEvent<E>,
  meta: EventMeta,
  opts: DurableOptions,
): Promise<Published> {
  if (!event.stream) return emitEvent(nc, event, data, meta);
  const stream = event.stream.name;
  const { subject, envelope, payload } = encodeEvent(event, data, meta);
  const started = Date.now();
  const budget = opts.retryMs ?? DEFAULT_PUBLISH_RETRY_MS;
  let failures = 0;
  let lastCause = "";
  for (;;) {
    try {
      // No attempt outlasts what is left of the budget (but each gets a second at least).
      const timeout = Math.max(1_000, Math.min(ATTEMPT_TIMEOUT_MS, budget - (Date.now() - started)));
      const ack = await js.publish(subject, payload, { msgID: envelope.id, timeout });
      if (failures > 0)
        opts.log.info(
          { stream, subject, attempts: failures + 1, waitedMs: Date.now() - started },
          `stream ${stream} stored it after ${failures} retries`,
        );
      return { id: envelope.id, subject, stream: ack.stream, sequence: ack.seq, duplicate: ack.duplicate };
    } catch (err) {
      const cause = retryableCause(err, stream);
      if (cause === undefined) throw err;
      failures++;
      const waited = Date.now() - started;
      if (waited >= budget || opts.signal?.aborted) {
        throw new PublishUnavailableError(`${subject}: not stored after ${failures} attempts in ${Math.round(waited / 1000)} s: ${cause}`, {
          cause: err,
        });
      }
      if (failures === 1 || cause !== lastCause)
        opts.log.warn({ stream, subject, reason: cause }, `${cause}; retrying for up to ${Math.round(budget / 1000)} s`);
      lastCause = cause;
      await sleep(Math.min(backoffDelay(failures, { initialMs: 250, maxMs: 2_000 }), budget - waited), opts.signal);
    }
  }
}
