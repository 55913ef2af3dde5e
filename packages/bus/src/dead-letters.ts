import { headers as natsHeaders, type MsgHdrs } from "@nats-io/nats-core";
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import {
  DeadLetter,
  describeIssues,
  dlqFilter,
  dlqStream,
  dlqSubject,
  Headers,
  parseDlqSubject,
  subjectMatches,
  type DeadLetterCode,
  type Principal,
} from "@lag/contracts";
import { isNotFound } from "./jetstream.ts";

export interface DeadLetterInput {
  subject: string;
  body: Uint8Array;
  /** Headers the original message carried; kept beside ours. */
  original?: MsgHdrs;
  code: DeadLetterCode;
  reason: string;
  stream?: string;
  sequence?: number;
  consumer?: string;
  deliveries?: number;
}

/**
 * Dead letters: written here by every consumer and subscription of the bus, read here by `lag dlq`,
 * the status page and the digest — the header protocol lives in one place.
 */

/**
 * Parks a message in the dead-letter stream with the reason in headers. A message that came from
 * a stream gets a de-duplication id, so parking it twice (after a crash) stores it once.
 * Throws when the dead-letter stream did not acknowledge: the caller must then not ack the original.
 */
export async function parkDeadLetter(js: JetStreamClient, principal: Principal, input: DeadLetterInput): Promise<void> {
  const h = natsHeaders();
  if (input.original) {
    for (const [k, v] of input.original) if (!k.toLowerCase().startsWith("nats-")) for (const x of v) h.append(k, x);
  }
  h.set(Headers.dlqCode, input.code);
  // Header values must stay on one line.
  h.set(Headers.dlqReason, input.reason.replace(/[\r\n]+/g, " ").slice(0, 4000));
  h.set(Headers.dlqSubject, input.subject);
  h.set(Headers.dlqPrincipal, principal);
  h.set(Headers.dlqTime, new Date().toISOString());
  if (input.stream) h.set(Headers.dlqStream, input.stream);
  if (input.sequence !== undefined) h.set(Headers.dlqSequence, String(input.sequence));
  if (input.consumer) h.set(Headers.dlqConsumer, input.consumer);
  if (input.deliveries !== undefined) h.set(Headers.dlqDeliveries, String(input.deliveries));
  const msgID = input.stream && input.sequence !== undefined ? `dlq:${input.stream}:${input.sequence}:${input.consumer ?? ""}` : undefined;
  await js.publish(dlqSubject(principal, input.subject), input.body, {
    headers: h,
    ...(msgID ? { msgID } : {}),
    timeout: 5_000,
  });
}

/** One dead letter, as `lag dlq --json` prints it. */
export interface DeadLetterEntry extends Partial<DeadLetter> {
  /** Its sequence in LAG_DLQ: what `lag dlq show <seq>` takes. */
  seq: number;
  /** Where it was parked: lag.dlq.<principal>.<original subject>. */
  dlqSubject: string;
  /** Payload size in bytes. */
  size: number;
  /** Dead-letter headers that are missing or malformed (a message parked by hand, an older bus). */
  problems?: string[];
}

export interface DeadLetterList {
  /** False when no agent has created LAG_DLQ on this server yet. */
  exists: boolean;
  /** How many match the filter in all; `entries` holds the newest `limit` of them, oldest first. */
  total: number;
  entries: DeadLetterEntry[];
}

/** What reading dead letters needs of a bus: the JetStream manager and client. */
export interface JetStreamAccess {
  jsm(): Promise<JetStreamManager>;
  readonly js: JetStreamClient;
}

/** Reads the dead-letter headers (Lag-Dlq-*), checked against the contract's shape. */
export function deadLetterOf(h: MsgHdrs | undefined, subject: string): { value: Partial<DeadLetter>; problems: string[] } {
  const get = (k: string) => h?.get(k) || undefined;
  const num = (k: string) => (get(k) !== undefined ? Number(get(k)) : undefined);
  // The subject itself still says where it came from when headers are missing.
  const parsed = parseDlqSubject(subject);
  const raw = {
    code: get(Headers.dlqCode),
    reason: get(Headers.dlqReason),
    subject: get(Headers.dlqSubject) ?? parsed?.subject,
    principal: get(Headers.dlqPrincipal) ?? parsed?.principal,
    time: get(Headers.dlqTime),
    stream: get(Headers.dlqStream),
    sequence: num(Headers.dlqSequence),
    consumer: get(Headers.dlqConsumer),
    deliveries: num(Headers.dlqDeliveries),
  };
  const value = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)) as Partial<DeadLetter>;
  const checked = DeadLetter.safeParse(value);
  return { value, problems: checked.success ? [] : describeIssues(checked.error, "dead-letter headers") };
}

export function deadLetterEntry(seq: number, subject: string, headers: MsgHdrs | undefined, size: number, stored: Date): DeadLetterEntry {
  const { value, problems } = deadLetterOf(headers, subject);
  return {
    seq,
    ...value,
    time: value.time ?? stored.toISOString(),
    dlqSubject: subject,
    size,
    ...(problems.length > 0 ? { problems } : {}),
  };
}

/**
 * How many dead letters there are, all of them or those whose original subject matches a (valid)
 * pattern; undefined when no agent has created LAG_DLQ on this server yet.
 */
export async function countDeadLetters(bus: JetStreamAccess, subject?: string): Promise<number | undefined> {
  const jsm = await bus.jsm();
  try {
    if (subject === undefined) return (await jsm.streams.info(dlqStream.name)).state.messages;
    const info = await jsm.streams.info(dlqStream.name, { subjects_filter: dlqFilter(subject) });
    return Object.values(info.state.subjects ?? {}).reduce((a, n) => a + n, 0);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Reads LAG_DLQ through an ordered consumer: ephemeral, no acks, nothing left behind and nothing
 * changed, so listing never disturbs the stream (and needs only read grants).
 */
export async function listDeadLetters(bus: JetStreamAccess, opts: { limit: number; subject?: string }): Promise<DeadLetterList> {
  const filter = dlqFilter(opts.subject);
  const total = await countDeadLetters(bus, opts.subject);
  if (total === undefined) return { exists: false, total: 0, entries: [] };
  const entries: DeadLetterEntry[] = [];
  if (total === 0) return { exists: true, total, entries };
  const consumer = await bus.js.consumers.get(dlqStream.name, { filter_subjects: [filter] });
  // `pending` after each message says how many remain; a fetch that brings nothing means the rest
  // expired (max age) while we read.
  let remaining = total;
  let read = 0;
  while (remaining > 0) {
    const batch = await consumer.fetch({ max_messages: Math.min(256, remaining), expires: 5_000 });
    let got = 0;
    for await (const m of batch) {
      got++;
      read++;
      if (!subjectMatches(filter, m.subject)) continue;
      entries.push(deadLetterEntry(m.seq, m.subject, m.headers, m.data.length, m.time));
      if (entries.length > opts.limit) entries.shift();
      remaining = m.info.pending;
    }
    if (got === 0) break;
  }
  return { exists: true, total: Math.max(total, read), entries };
}
