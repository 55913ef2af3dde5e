import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  ReplayPolicy,
  RetentionPolicy,
  StoreCompression,
  StorageType,
  type ConsumerConfig,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type StreamConfig,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/nats-core";
import { filterSubject, streamSubjects, type ConsumerDescriptor, type StreamDescriptor } from "@lag/contracts";
import type { Logger } from "@lag/log";
import { BusError } from "./errors.ts";

export interface StreamOptions {
  /** 1 on one node; 3 on a cluster. */
  replicas?: number;
}

/**
 * A stream's whole configuration as the contract wants it: every limit a client could change is
 * stated, so a stream someone narrowed (a per-subject cap, fewer messages, a seal) is noticed and
 * put back, not only when one of the fields we happened to set differs.
 */
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
    max_msgs: -1,
    max_msgs_per_subject: -1,
    max_msg_size: -1,
    max_consumers: -1,
    duplicate_window: nanos(d.duplicateWindow),
    num_replicas: opts.replicas ?? 1,
    compression: StoreCompression.None,
    allow_direct: false,
    mirror_direct: false,
    sealed: false,
    deny_delete: false,
    deny_purge: false,
    allow_rollup_hdrs: false,
  };
}

/** Fields a contract stream never has: their presence means someone changed it. */
const STREAM_ABSENT = ["mirror", "sources", "republish", "subject_transform"] as const;
/** Fields a contract consumer never has (push delivery, pacing, expiry). */
const CONSUMER_ABSENT = [
  "deliver_subject",
  "deliver_group",
  "idle_heartbeat",
  "flow_control",
  "rate_limit_bps",
  "inactive_threshold",
  "backoff",
  "max_batch",
  "max_expires",
  "max_bytes",
  "headers_only",
  "sample_freq",
  "pause_until",
] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(normal(a)) === JSON.stringify(normal(b));
/** Subject lists compare as sets; empty things compare as absent. */
function normal(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? undefined : [...v].map(String).sort();
  if (v === "" || v === 0 || v === false || v === null) return undefined;
  if (typeof v === "object" && v !== null && Object.keys(v).length === 0) return undefined;
  return v;
}
const show = (v: unknown) => (v === undefined ? "unset" : JSON.stringify(v));

/** Every field where `current` differs from `wanted`, as "field: current → wanted". */
export function configDrift(current: object, wanted: object, absent: readonly string[]): string[] {
  const cur = current as Record<string, unknown>;
  const out: string[] = [];
  for (const [k, v] of Object.entries(wanted)) if (!same(cur[k], v)) out.push(`${k}: ${show(cur[k])} → ${show(v)}`);
  for (const k of absent) if (normal(cur[k]) !== undefined) out.push(`${k}: ${show(cur[k])} → unset`);
  return out;
}

export function isNotFound(err: unknown): boolean {
  // 10059 stream not found, 10014 consumer not found; an older server says 404 only.
  return err instanceof JetStreamApiError && (err.code === 10059 || err.code === 10014 || err.status === 404);
}

/**
 * Every message of a stream (of `filter` only, when given), oldest first, through an ordered
 * consumer: ephemeral, no acks, nothing left behind or changed, so reading needs only read grants.
 * `pending` after each message says how many remain; a fetch that brings nothing means the rest
 * expired (max age) while it read. An empty stream ends at once, without a fetch's wait. `since`
 * starts at the first message stored at or after it, rather than at the first kept. `lag dlq` and
 * `lag trace` read this way.
 */
export async function* readWholeStream(
  js: JetStreamClient,
  stream: string,
  opts: { filter?: string; since?: Date } = {},
): AsyncGenerator<JsMsg> {
  const consumer = await js.consumers.get(stream, {
    ...(opts.filter ? { filter_subjects: [opts.filter] } : {}),
    ...(opts.since ? { deliver_policy: DeliverPolicy.StartTime, opt_start_time: opts.since.toISOString() } : {}),
  });
  if ((await consumer.info()).num_pending === 0) return;
  for (let pending = 1; pending > 0; ) {
    const batch = await consumer.fetch({ max_messages: 1_000, expires: 5_000 });
    let got = 0;
    for await (const m of batch) {
      got++;
      pending = m.info.pending;
      yield m;
      // The last one: leave the batch now rather than wait out its `expires` for more.
      if (pending === 0) break;
    }
    if (got === 0) return;
  }
}

/** A stream this principal needs but does not own, and its owner has not created yet. */
export class StreamMissingError extends BusError {
  override readonly name = "StreamMissingError";
  constructor(readonly stream: StreamDescriptor) {
    super("LAG_STREAM_MISSING", `stream ${stream.name} does not exist yet: ${stream.owner} creates it (is it running?)`);
  }
}

/**
 * Creates the stream, or brings an existing one back to the contract's whole configuration,
 * saying what was different. Idempotent. Only the stream's owner calls this.
 */
export async function ensureStream(jsm: JetStreamManager, d: StreamDescriptor, opts: StreamOptions & { log?: Logger } = {}): Promise<void> {
  const cfg = streamConfig(d, opts);
  let current: StreamConfig;
  try {
    current = (await jsm.streams.info(d.name)).config;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.streams.add(cfg);
    opts.log?.info({ stream: d.name, replicas: cfg.num_replicas }, `stream ${d.name} created`);
    return;
  }
  const drift = configDrift(current, cfg, STREAM_ABSENT);
  if (drift.length === 0) return;
  if (current.sealed) {
    throw new BusError(
      "LAG_STREAM_SEALED",
      `stream ${d.name} is sealed and cannot be put back to its contract; an admin must recreate it (${drift.join("; ")})`,
    );
  }
  const next: Record<string, unknown> = { ...current, ...cfg };
  for (const k of STREAM_ABSENT) delete next[k];
  await jsm.streams.update(d.name, next as unknown as StreamConfig);
  opts.log?.warn({ stream: d.name, drift }, `stream ${d.name} differed from its contract; put back (${drift.join("; ")})`);
}

/** Checks that a stream this principal does not own exists; throws StreamMissingError when not. */
export async function requireStream(jsm: JetStreamManager, d: StreamDescriptor): Promise<void> {
  try {
    await jsm.streams.info(d.name);
  } catch (err) {
    if (isNotFound(err)) throw new StreamMissingError(d);
    throw err;
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
    replay_policy: ReplayPolicy.Instant,
    ack_wait: nanos(d.ackWait),
    max_deliver: d.maxDeliver + 1,
    max_ack_pending: 1000,
    max_waiting: 512,
    ...(filters.length === 1 ? { filter_subject: filters[0] } : { filter_subjects: filters }),
  };
}

/** Creates the durable consumer, or brings it back to the contract's whole configuration. */
export async function ensureConsumer(jsm: JetStreamManager, d: ConsumerDescriptor, log?: Logger): Promise<void> {
  const cfg = consumerConfig(d);
  let current: ConsumerConfig;
  try {
    current = (await jsm.consumers.info(d.stream.name, d.durable)).config;
  } catch (err) {
    if (!isNotFound(err)) throw err;
    await jsm.consumers.add(d.stream.name, cfg);
    return;
  }
  // One filter or several: the server reports whichever form it was created with.
  const wanted: Record<string, unknown> = { ...cfg, filter_subjects: cfg.filter_subjects ?? [cfg.filter_subject] };
  delete wanted.filter_subject;
  const seen = { ...current, filter_subjects: current.filter_subjects ?? (current.filter_subject ? [current.filter_subject] : []) };
  const drift = configDrift(seen, wanted, CONSUMER_ABSENT);
  if (drift.length === 0) return;
  // update() merges into the server's config: the fields to drop are sent as undefined, which
  // JSON leaves out, and the other filter form is cleared.
  const cleared = Object.fromEntries(
    [...CONSUMER_ABSENT, cfg.filter_subjects ? "filter_subject" : "filter_subjects"].map((k) => [k, undefined]),
  );
  await jsm.consumers.update(d.stream.name, d.durable, { ...cleared, ...cfg } as Partial<ConsumerConfig>);
  log?.warn({ consumer: d.durable, drift }, `consumer ${d.durable} differed from its contract; put back (${drift.join("; ")})`);
}
