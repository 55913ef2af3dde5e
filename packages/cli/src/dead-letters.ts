import { JetStreamApiError, type JsMsg } from "@nats-io/jetstream";
import type { Bus } from "@lag/bus";
import { DLQ_PREFIX, dlqStream, subjectMatches, type DeadLetter } from "@lag/contracts";
import { UsageError } from "./errors.ts";
import { deadLetterOf } from "./inspect.ts";
import { isSubjectPattern } from "./subject-pattern.ts";

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

/**
 * The DLQ filter for an original-subject pattern: `lag.it.>` → `lag.dlq.*.lag.it.>`. The principal
 * that parked a message is one token, so every principal's dead letters are matched.
 */
export function dlqFilter(originalPattern: string | undefined): string {
  if (originalPattern === undefined) return `${DLQ_PREFIX}.>`;
  if (originalPattern.startsWith(`${DLQ_PREFIX}.`)) return originalPattern;
  if (!isSubjectPattern(originalPattern)) {
    throw new UsageError(`dlq: --subject ${JSON.stringify(originalPattern)} is not a subject pattern; write e.g. lag.it.host.metrics.* or lag.it.>`);
  }
  return `${DLQ_PREFIX}.*.${originalPattern}`;
}

export function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === 10059 || err.status === 404);
}

/**
 * How many dead letters there are, all of them or those whose original subject matches; undefined
 * when no agent has created LAG_DLQ on this server yet.
 */
export async function countDeadLetters(bus: Bus, subject?: string): Promise<number | undefined> {
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

export function entryOf(seq: number, dlqSubject: string, headers: JsMsg["headers"], size: number, stored: Date): DeadLetterEntry {
  const { value, problems } = deadLetterOf(headers, dlqSubject);
  return {
    seq,
    ...value,
    time: value.time ?? stored.toISOString(),
    dlqSubject,
    size,
    ...(problems.length > 0 ? { problems } : {}),
  };
}

/**
 * Reads LAG_DLQ through an ordered consumer: ephemeral, no acks, nothing left behind and nothing
 * changed, so listing never disturbs the stream (and needs only the read grants `cli` has).
 */
export async function listDeadLetters(bus: Bus, opts: { limit: number; subject?: string }): Promise<DeadLetterList> {
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
      entries.push(entryOf(m.seq, m.subject, m.headers, m.data.length, m.time));
      if (entries.length > opts.limit) entries.shift();
      remaining = m.info.pending;
    }
    if (got === 0) break;
  }
  return { exists: true, total: Math.max(total, read), entries };
}
