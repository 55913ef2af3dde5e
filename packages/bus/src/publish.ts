import type { JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";
import type { EventDescriptor, InferEvent } from "@lag/contracts";
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
 * Publishes one event. Durable events (those whose contract names a stream) go through JetStream
 * with `Nats-Msg-Id` = envelope id and resolve once stored; others are fire-and-forget on core NATS.
 */
export async function publishEvent<E extends EventDescriptor>(
  nc: NatsConnection,
  js: JetStreamClient,
  event: E,
  data: InferEvent<E>,
  meta: EventMeta,
): Promise<Published> {
  if (!event.stream) return emitEvent(nc, event, data, meta);
  const { subject, envelope, payload } = encodeEvent(event, data, meta);
  const ack = await js.publish(subject, payload, { msgID: envelope.id, timeout: 10_000 });
  return { id: envelope.id, subject, stream: ack.stream, sequence: ack.seq, duplicate: ack.duplicate };
}
