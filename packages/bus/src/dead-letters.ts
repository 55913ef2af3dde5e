import { headers as natsHeaders, type MsgHdrs } from "@nats-io/nats-core";
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import {
  DeadLetter,
  describeIssues,
  DLQ_PREFIX,
  dlqFilter,
  dlqStreams,
  dlqSubject,
  Headers,
  parseDlqSubject,
  subjectMatches,
  type DeadLetterCode,
  type Principal,
  type StreamDescriptor,
} from "@lag/contracts";
import { isNotFound, readWholeStream } from "./jetstream.ts";

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
  /** `<principal>/<seq>`: what `lag dlq show` and `lag dlq rm` take. */
  id: string;
  /** The dead-letter stream holding it (the parking principal's own) and its sequence there. */
  dlqStream: string;
  seq: number;
  /** Where it was parked: lag.dlq.<principal>.<original subject>. */
  dlqSubject: string;
  /** Payload size in bytes. */
  size: number;
  /** Dead-letter headers that are missing or malformed (a message parked by hand, an older bus). */
  problems?: string[];
}

export interface DeadLetterList {
  /** False when no dead-letter stream exists on this server yet. */
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

export function deadLetterEntry(
  stream: StreamDescriptor,
  seq: number,
  subject: string,
  headers: MsgHdrs | undefined,
  size: number,
  stored: Date,
): DeadLetterEntry {
  const { value, problems } = deadLetterOf(headers, subject);
  return {
    id: `${stream.owner}/${seq}`,
    dlqStream: stream.name,
    seq,
    ...value,
    time: value.time ?? stored.toISOString(),
    dlqSubject: subject,
    size,
    ...(problems.length > 0 ? { problems } : {}),
  };
}

/**
 * Where to look for the dead letters whose original subject matches a (valid) pattern: each
 * principal's stream with the filter narrowed to it. A pattern that names a principal under
 * lag.dlq (`lag.dlq.media.>`) looks in that one's stream only.
 */
export function deadLetterScopes(subject?: string): { stream: StreamDescriptor; filter: string }[] {
  const filter = dlqFilter(subject);
  const [, , who, ...rest] = filter.split(".");
  return dlqStreams.flatMap((stream) => {
    if (who === ">") return [{ stream, filter: `${DLQ_PREFIX}.${stream.owner}.>` }];
    if (who !== "*" && who !== stream.owner) return [];
    return [{ stream, filter: [DLQ_PREFIX, stream.owner, ...rest].join(".") }];
  });
}

async function countIn(jsm: JetStreamManager, stream: StreamDescriptor, filter: string): Promise<number | undefined> {
  try {
    const info = await jsm.streams.info(stream.name, { subjects_filter: filter });
    return Object.values(info.state.subjects ?? {}).reduce((a, n) => a + n, 0);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * How many dead letters there are, all of them or those whose original subject matches a (valid)
 * pattern; undefined when no dead-letter stream exists on this server yet.
 */
export async function countDeadLetters(bus: JetStreamAccess, subject?: string): Promise<number | undefined> {
  const jsm = await bus.jsm();
  const counts = await Promise.all(deadLetterScopes(subject).map((s) => countIn(jsm, s.stream, s.filter)));
  const found = counts.filter((n): n is number => n !== undefined);
  return found.length === 0 ? undefined : found.reduce((a, n) => a + n, 0);
}

/** The newest `limit` dead letters of one stream matching `filter`, oldest first. */
async function readDeadLetters(bus: JetStreamAccess, stream: StreamDescriptor, filter: string, limit: number): Promise<DeadLetterEntry[]> {
  const entries: DeadLetterEntry[] = [];
  for await (const m of readWholeStream(bus.js, stream.name, { filter })) {
    if (!subjectMatches(filter, m.subject)) continue;
    entries.push(deadLetterEntry(stream, m.seq, m.subject, m.headers, m.data.length, m.time));
    if (entries.length > limit) entries.shift();
  }
  return entries;
}

/**
 * Reads every principal's dead-letter stream through ordered consumers: ephemeral, no acks,
 * nothing left behind and nothing changed, so listing never disturbs a stream (and needs only
 * read grants). The newest `limit` of all, oldest first.
 */
export async function listDeadLetters(bus: JetStreamAccess, opts: { limit: number; subject?: string }): Promise<DeadLetterList> {
  const jsm = await bus.jsm();
  const scopes = await Promise.all(
    deadLetterScopes(opts.subject).map(async (s) => ({ ...s, count: await countIn(jsm, s.stream, s.filter) })),
  );
  const existing = scopes.filter((s): s is typeof s & { count: number } => s.count !== undefined);
  if (existing.length === 0) return { exists: false, total: 0, entries: [] };
  const total = existing.reduce((a, s) => a + s.count, 0);
  const read = await Promise.all(existing.filter((s) => s.count > 0).map((s) => readDeadLetters(bus, s.stream, s.filter, opts.limit)));
  const entries = read.flat().sort((a, b) => (a.time ?? "").localeCompare(b.time ?? "") || a.id.localeCompare(b.id));
  return { exists: true, total, entries: entries.slice(Math.max(0, entries.length - opts.limit)) };
}

/** `ceo/42` → the stream and sequence it names; undefined when it is not such an id. */
export function parseDeadLetterId(id: string): { stream: StreamDescriptor; seq: number } | undefined {
  const m = /^([a-z][a-z0-9-]*)\/([1-9]\d*)$/.exec(id);
  if (!m) return undefined;
  const stream = dlqStreams.find((s) => s.owner === m[1]);
  return stream ? { stream, seq: Number(m[2]) } : undefined;
}

/** One dead letter by id, or undefined when there is no such message (or no such stream yet). */
export async function getDeadLetter(
  bus: JetStreamAccess,
  id: string,
): Promise<{ entry: DeadLetterEntry; headers: MsgHdrs | undefined; data: Uint8Array; stored: Date } | undefined> {
  const where = parseDeadLetterId(id);
  if (!where) return undefined;
  const jsm = await bus.jsm();
  const m = await jsm.streams.getMessage(where.stream.name, { seq: where.seq }).catch((err: unknown) => {
    if (isNotFound(err)) return null;
    throw err;
  });
  if (!m) return undefined;
  return {
    entry: deadLetterEntry(where.stream, m.seq, m.subject, m.header, m.data.length, m.time),
    headers: m.header,
    data: m.data,
    stored: m.time,
  };
}

/** Removes one dead letter; false when it was not there. */
export async function removeDeadLetter(bus: JetStreamAccess, id: string): Promise<boolean> {
  const where = parseDeadLetterId(id);
  if (!where) return false;
  const jsm = await bus.jsm();
  return jsm.streams.deleteMessage(where.stream.name, where.seq, false).catch(async (err: unknown) => {
    // The server words a missing sequence differently by where it falls (deleted, past the end);
    // whether the message is there says it plainly.
    const there = await jsm.streams
      .getMessage(where.stream.name, { seq: where.seq })
      .catch((e: unknown) => (isNotFound(e) ? null : undefined));
    if (there === null) return false;
    throw err;
  });
}

/** Removes every dead letter, or those whose original subject matches; how many went. */
export async function purgeDeadLetters(bus: JetStreamAccess, subject?: string): Promise<number> {
  const jsm = await bus.jsm();
  let purged = 0;
  for (const s of deadLetterScopes(subject)) {
    try {
      purged += (await jsm.streams.purge(s.stream.name, subject === undefined ? undefined : { filter: s.filter })).purged;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return purged;
}
