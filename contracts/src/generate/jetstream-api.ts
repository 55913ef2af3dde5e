import type { ConsumerDescriptor, StreamDescriptor } from "../descriptors.ts";

/**
 * The JetStream API subjects a client publishes to, as nats.js 3.4 sends them. Granting these
 * per stream and per durable name keeps one agent from reading, changing or deleting another's
 * streams and consumers.
 */
const API = "$JS.API";

/** `jetstreamManager()` asks for the account's JetStream info before anything else. */
export const accountInfo = `${API}.INFO`;

/**
 * What `Bus.ensureStreams` does for a stream its principal owns: look it up, create it when missing,
 * put it back to the contract. Only the owner gets CREATE and UPDATE (UPDATE is also how a stream is
 * narrowed, capped or sealed); nobody gets DELETE or PURGE but the admin and, for dead letters, the operator.
 */
export function streamProvisioning(s: StreamDescriptor): string[] {
  return [`${API}.STREAM.INFO.${s.name}`, `${API}.STREAM.CREATE.${s.name}`, `${API}.STREAM.UPDATE.${s.name}`];
}

/** A stream someone else owns: looked up (to wait until it exists), never changed. */
export function streamInfo(s: StreamDescriptor): string {
  return `${API}.STREAM.INFO.${s.name}`;
}

/**
 * Everything a durable consumer's owner needs: `consumers.info` / `consumers.get`
 * (CONSUMER.INFO), `consumers.add` / `update` — on CONSUMER.CREATE.<stream>.<name>[.<filter>]
 * with one filter subject, on the older CONSUMER.DURABLE.CREATE.<stream>.<name> with several —,
 * pulling (CONSUMER.MSG.NEXT) and acking. Acks go to the reply subject of each message,
 * `$JS.ACK.<stream>.<durable>.…` (nats-server 2.10 to 2.15 without a JetStream domain, verified by
 * test/permissions.test.ts; with a domain, two tokens come before the stream and this needs widening).
 */
export function durableConsumer(c: ConsumerDescriptor): string[] {
  const s = c.stream.name;
  const d = c.durable;
  return [
    `${API}.CONSUMER.INFO.${s}.${d}`,
    `${API}.CONSUMER.CREATE.${s}.${d}`,
    `${API}.CONSUMER.CREATE.${s}.${d}.>`,
    `${API}.CONSUMER.DURABLE.CREATE.${s}.${d}`,
    `${API}.CONSUMER.MSG.NEXT.${s}.${d}`,
    `$JS.ACK.${s}.${d}.>`,
  ];
}

/**
 * What the operator may not do to another principal's durable consumer, though its reading grants
 * (below) match: create or redefine it (one filter or several) and pull from it. Denied by name, so
 * the operator's own ephemeral consumers stay allowed.
 */
export function othersDurable(c: ConsumerDescriptor): string[] {
  const s = c.stream.name;
  const d = c.durable;
  return [
    `${API}.CONSUMER.CREATE.${s}.${d}`,
    `${API}.CONSUMER.CREATE.${s}.${d}.>`,
    `${API}.CONSUMER.DURABLE.CREATE.${s}.${d}`,
    `${API}.CONSUMER.MSG.NEXT.${s}.${d}`,
  ];
}

/**
 * Reading a stream without owning a consumer on it, as the operator does (`lag dlq`, `nats stream
 * view`): stream info and single messages, listing consumers, and ephemeral/ordered consumers
 * (no ack policy, so no `$JS.ACK` grant). Named consumers are created on
 * CONSUMER.CREATE.<stream>.<name>[.<filter>]; legacy ephemerals on CONSUMER.CREATE.<stream>.
 * Push consumers of the Go `nats` CLI answer flow-control messages on `$JS.FC.<stream>.…`.
 */
export function streamReading(s: StreamDescriptor): string[] {
  const n = s.name;
  return [
    `${API}.STREAM.INFO.${n}`,
    `${API}.STREAM.MSG.GET.${n}`,
    `${API}.CONSUMER.NAMES.${n}`,
    `${API}.CONSUMER.LIST.${n}`,
    `${API}.CONSUMER.INFO.${n}.*`,
    `${API}.CONSUMER.CREATE.${n}`,
    `${API}.CONSUMER.CREATE.${n}.*`,
    `${API}.CONSUMER.CREATE.${n}.*.>`,
    `${API}.CONSUMER.MSG.NEXT.${n}.*`,
    `$JS.FC.${n}.>`,
  ];
}

/**
 * Clearing dead letters once dealt with (`lag dlq rm`, `lag dlq purge`): deleting single messages
 * and purging, on the dead-letter stream only.
 */
export function deadLetterClearing(s: StreamDescriptor): string[] {
  return [`${API}.STREAM.MSG.DELETE.${s.name}`, `${API}.STREAM.PURGE.${s.name}`];
}

/** Listing streams (`nats stream ls`, `lag status`). */
export const streamListing = [`${API}.STREAM.NAMES`, `${API}.STREAM.LIST`];

/** Everything in the JetStream API, for the maintenance user only. */
export const wholeApi = [`${API}.>`, "$JS.ACK.>", "$JS.FC.>"];
