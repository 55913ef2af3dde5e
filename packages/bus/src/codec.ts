import { randomUUID } from "node:crypto";
import { z } from "zod";
import {
  catalog,
  describeIssues,
  Envelope,
  parseSubject,
  renderSubject,
  type DeadLetterCode,
  type EnvelopeType,
  type EventDescriptor,
  type InferEvent,
} from "@lag/contracts";
import { ContractError } from "./errors.ts";

export interface EventMeta {
  /** CloudEvents `source` of the publishing process. */
  source: string;
  /** A stable id makes a re-publish a duplicate that JetStream stores once. */
  id?: string;
  correlationid?: string;
  causationid?: string;
  time?: Date;
}

export interface Encoded<T> {
  subject: string;
  envelope: EnvelopeType<T>;
  payload: string;
}

const compiledSchemas = new WeakMap<z.ZodType, z.ZodType>();

/**
 * The schema compiled once (zod's `z.compile`: same verdicts, same issues, several times faster on
 * objects), for the checks every message goes through at both ends.
 */
export function compiled<S extends z.ZodType>(schema: S): S {
  let c = compiledSchemas.get(schema);
  if (!c) {
    c = z.compile(schema);
    compiledSchemas.set(schema, c);
  }
  return c as S;
}

/**
 * The envelope's constant attributes for one event type and source, JSON-encoded once: a message
 * is then written by concatenation, not by stringifying a temporary envelope object.
 */
const heads = new Map<string, { afterSpec: string; afterId: string }>();
function headOf(type: string, source: string): { afterSpec: string; afterId: string } {
  const key = `${type}\u0000${source}`;
  let h = heads.get(key);
  if (!h) {
    h = { afterSpec: '{"specversion":"1.0","id":', afterId: `,"source":${JSON.stringify(source)},"type":${JSON.stringify(type)},"time":` };
    heads.set(key, h);
  }
  return h;
}

/** ISO time stamps are formatted at most once per millisecond. */
let lastMs = Number.NaN;
let lastIso = "";
function isoTime(d: Date | undefined): string {
  const ms = d ? d.getTime() : Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** Validates data against its contract and wraps it in an envelope; throws ContractError naming each bad field. */
export function encodeEvent<E extends EventDescriptor>(event: E, data: InferEvent<E>, meta: EventMeta): Encoded<InferEvent<E>> {
  const parsed = compiled(event.schema).safeParse(data);
  if (!parsed.success) throw new ContractError(event.subject, describeIssues(parsed.error, "data"));
  const value = parsed.data as InferEvent<E>;
  const subject = renderSubject(event.subject, event.tokens(value) as Record<string, string>);
  const id = meta.id ?? randomUUID();
  const time = isoTime(meta.time);
  const envelope: EnvelopeType<InferEvent<E>> = {
    specversion: "1.0",
    id,
    source: meta.source,
    type: event.type,
    time,
    datacontenttype: "application/json",
    ...(meta.correlationid ? { correlationid: meta.correlationid } : {}),
    ...(meta.causationid ? { causationid: meta.causationid } : {}),
    data: value,
  };
  // The same document JSON.stringify(envelope) gives, attribute for attribute, written directly.
  const h = headOf(event.type, meta.source);
  const payload =
    h.afterSpec +
    (meta.id === undefined ? `"${id}"` : JSON.stringify(id)) +
    h.afterId +
    `"${time}","datacontenttype":"application/json"` +
    (meta.correlationid ? `,"correlationid":${JSON.stringify(meta.correlationid)}` : "") +
    (meta.causationid ? `,"causationid":${JSON.stringify(meta.causationid)}` : "") +
    `,"data":${JSON.stringify(value)}}`;
  return { subject, envelope, payload };
}

export type Decoded =
  | { ok: true; event: EventDescriptor; envelope: EnvelopeType; tokens: Record<string, string> }
  | { ok: false; code: DeadLetterCode; reason: string; event?: EventDescriptor };

/**
 * Checks a received message against the contracts: the subject names a known event (one of
 * `expected` when given), the body is a CloudEvents envelope of that event's type, and the data
 * matches its schema. Never throws: a failure says why, for the dead-letter headers.
 */
export function decodeEvent(subject: string, body: string, expected?: readonly EventDescriptor[]): Decoded {
  // The tokens found while matching the subject are kept: parsing it again later cost as much again.
  let tokens: Record<string, string> | undefined;
  const event = (expected ?? catalog.events).find((e) => (tokens = parseSubject(e.subject, subject)) !== undefined);
  if (!event || !tokens) return { ok: false, code: "unknown-subject", reason: `no contract describes subject ${subject}` };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (err) {
    return { ok: false, event, code: "invalid-json", reason: `body is not JSON: ${(err as Error).message}` };
  }
  const env = compiled(Envelope).safeParse(json);
  if (!env.success) {
    return { ok: false, event, code: "invalid-envelope", reason: describeIssues(env.error).join("; ") };
  }
  if (env.data.type !== event.type) {
    return {
      ok: false,
      event,
      code: "unexpected-type",
      reason: `type: expected ${event.type} on ${subject}, got ${env.data.type}`,
    };
  }
  const data = compiled(event.schema).safeParse(env.data.data);
  if (!data.success) {
    return { ok: false, event, code: "invalid-data", reason: describeIssues(data.error, "data").join("; ") };
  }
  // The subject matched the template, so it equals the one the data renders to exactly when every
  // token agrees; comparing tokens spares rendering a subject per message.
  const wanted = event.tokens(data.data) as Record<string, string>;
  for (const name in wanted) {
    if (wanted[name] !== tokens[name]) {
      let expectedSubject: string;
      try {
        expectedSubject = renderSubject(event.subject, wanted);
      } catch {
        expectedSubject = `a subject with {${name}} = ${JSON.stringify(wanted[name])}`;
      }
      return { ok: false, event, code: "invalid-data", reason: `data belongs on ${expectedSubject}, not on ${subject}` };
    }
  }
  // env.data is zod's own copy: the validated data takes the place of the raw one.
  const envelope = env.data as EnvelopeType;
  envelope.data = data.data;
  return { ok: true, event, envelope, tokens };
}
