import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type JetStreamManager,
  type StreamConfig,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/nats-core";
import { streamSubjects, type ConsumerDescriptor, type StreamDescriptor } from "@lag/contracts";
import { filterSubject } from "@lag/contracts";

export interface StreamOptions {
  /** 1 on one node; 3 on a cluster. */
  replicas?: number;
}

export function streamConfig(d: StreamDescriptor, opts: StreamOptions = {}): Partial<StreamConfig> & { name: string } {
  return {
    name: d.name,
    description: d.description,
    subjects: streamSubjects(d),
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    max_age: nanos(d.maxAge),
    max_bytes: d.maxBytes ?? -1,
    duplicate_window: nanos(d.duplicateWindow),
    num_replicas: opts.replicas ?? 1,
  };
}

function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === 10059 || err.code === 10014 || err.status === 404);
}

/** Creates the stream, or brings an existing one to the contract's configuration. Idempotent. */
export async function ensureStream(jsm: JetStreamManager, d: StreamDescriptor, opts: StreamOptions = {}): Promise<void> {
  const cfg = streamConfig(d, opts);
  try {
    const info = await jsm.streams.info(d.name);
    const current = info.config;
    const same =
      JSON.stringify([...current.subjects].sort()) === JSON.stringify([...(cfg.subjects ?? [])].sort()) &&
      current.max_age === cfg.max_age &&
      current.max_bytes === cfg.max_bytes &&
      current.duplicate_window === cfg.duplicate_window &&
      current.description === cfg.description;
    if (!same) await jsm.streams.update(d.name, { ...current, ...cfg } as StreamConfig);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.streams.add(cfg);
  }
}

/**
 * The server redelivers up to maxDeliver + 1 times: the extra delivery only happens when the
 * process died while handling the last allowed attempt, and it moves the message to the
 * dead-letter stream instead of leaving it stranded.
 */
export function consumerConfig(d: ConsumerDescriptor): Partial<ConsumerConfig> & { durable_name: string } {
  const filters = d.events.map((e) => filterSubject(e.subject));
  return {
    durable_name: d.durable,
    description: d.description,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(d.ackWait),
    max_deliver: d.maxDeliver + 1,
    max_ack_pending: 1000,
    ...(filters.length === 1 ? { filter_subject: filters[0] } : { filter_subjects: filters }),
  };
}

export async function ensureConsumer(jsm: JetStreamManager, d: ConsumerDescriptor): Promise<void> {
  const cfg = consumerConfig(d);
  try {
    const info = await jsm.consumers.info(d.stream.name, d.durable);
    const c = info.config;
    const same =
      c.ack_wait === cfg.ack_wait &&
      c.max_deliver === cfg.max_deliver &&
      c.description === cfg.description &&
      JSON.stringify(c.filter_subjects ?? [c.filter_subject]) ===
        JSON.stringify(cfg.filter_subjects ?? [cfg.filter_subject]);
    if (!same) await jsm.consumers.update(d.stream.name, d.durable, cfg);
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(d.stream.name, cfg);
  }
}
