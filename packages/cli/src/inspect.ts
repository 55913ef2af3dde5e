import type { MsgHdrs } from "@nats-io/nats-core";
import { deadLetterOf, decodeEvent } from "@lag/bus";
import { describeIssues, type DeadLetter, DLQ_PREFIX, endpointForSubject, Headers, type EndpointDescriptor } from "@lag/contracts";

export interface RawMessage {
  subject: string;
  reply?: string;
  headers?: MsgHdrs;
  data: Uint8Array;
}

/**
 * event: a contract event; request/reply: a call to a service endpoint and its answer; dead-letter:
 * a message parked on `lag.dlq.>`; other: outside `lag.` (JetStream API, $SRV, inboxes), not checked.
 */
export type MessageKind = "event" | "request" | "reply" | "dead-letter" | "other";

/** What `lag tail --json` prints for each message. */
export interface MessageRecord {
  /** When this process received it. */
  time: string;
  subject: string;
  kind: MessageKind;
  valid: boolean;
  /** CloudEvents type of an event; `<service>.<endpoint>` of a request or reply; `dead-letter`. */
  type?: string;
  data?: unknown;
  /** Why it is invalid, naming the field. */
  reason?: string;
  /** The dead-letter code the bus gives such a message (invalid-json, invalid-data, …). */
  code?: string;
  id?: string;
  source?: string;
  correlationid?: string;
  causationid?: string;
  /** The body as received, when it was not decoded: invalid, or not a LAG subject. */
  body?: string;
  deadLetter?: Partial<DeadLetter>;
  serviceError?: { code: number; description: string };
  headers?: Record<string, string[]>;
}

const utf8 = new TextDecoder();

/** How many requests whose replies we are watching for; older ones are forgotten first. */
const MAX_PENDING_REPLIES = 10_000;

/**
 * Checks each message against the contracts. Replies travel on private inboxes and carry no
 * contract of their own, so the inspector remembers the reply subject of each request it saw and
 * recognises the answer when it arrives (when the tailed patterns include that inbox).
 */
export class Inspector {
  private readonly pending = new Map<string, EndpointDescriptor>();

  inspect(m: RawMessage, now: Date = new Date()): MessageRecord {
    const base = { time: now.toISOString(), subject: m.subject, ...headersOf(m.headers) };
    const body = utf8.decode(m.data);
    const ep = this.pending.get(m.subject);
    if (ep) {
      this.pending.delete(m.subject);
      return inspectReply(base, ep, m, body);
    }
    if (m.subject.startsWith(`${DLQ_PREFIX}.`)) return inspectDeadLetter(base, m, body);
    const endpoint = endpointForSubject(m.subject);
    if (endpoint) {
      if (m.reply) this.remember(m.reply, endpoint);
      return inspectRequest(base, endpoint, m, body);
    }
    if (!m.subject.startsWith("lag.")) return { ...base, kind: "other", valid: true, ...(body.length > 0 ? { body } : {}) };
    const d = decodeEvent(m.subject, body);
    if (!d.ok)
      return { ...base, kind: "event", valid: false, code: d.code, reason: d.reason, body, ...(d.event ? { type: d.event.type } : {}) };
    const e = d.envelope;
    return {
      ...base,
      kind: "event",
      valid: true,
      type: e.type,
      data: e.data,
      id: e.id,
      source: e.source,
      ...(e.correlationid ? { correlationid: e.correlationid } : {}),
      ...(e.causationid ? { causationid: e.causationid } : {}),
    };
  }

  private remember(reply: string, ep: EndpointDescriptor): void {
    if (this.pending.size >= MAX_PENDING_REPLIES) this.pending.delete(this.pending.keys().next().value!);
    this.pending.set(reply, ep);
  }
}

type Base = Pick<MessageRecord, "time" | "subject" | "headers">;

function headersOf(h: MsgHdrs | undefined): Pick<MessageRecord, "headers"> {
  if (!h) return {};
  const out: Record<string, string[]> = {};
  for (const [k, v] of h) out[k] = v;
  return Object.keys(out).length > 0 ? { headers: out } : {};
}

function parseJson(body: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (err) {
    return { ok: false, reason: `body is not JSON: ${(err as Error).message}` };
  }
}

function inspectRequest(base: Base, ep: EndpointDescriptor, m: RawMessage, body: string): MessageRecord {
  const rec = {
    ...base,
    kind: "request" as const,
    type: `${ep.service}.${ep.name}`,
    ...(m.headers?.get(Headers.ceSource) ? { source: m.headers.get(Headers.ceSource) } : {}),
    ...(m.headers?.get(Headers.ceCorrelation) ? { correlationid: m.headers.get(Headers.ceCorrelation) } : {}),
  };
  // An empty body is `{}`, as services read it (`nats req subject ''`).
  const json = body.length === 0 ? { ok: true as const, value: {} } : parseJson(body);
  if (!json.ok) return { ...rec, valid: false, code: "invalid-json", reason: json.reason, body };
  const req = ep.request.safeParse(json.value);
  if (!req.success)
    return { ...rec, valid: false, code: "invalid-data", reason: describeIssues(req.error, "request").join("; "), data: json.value };
  return { ...rec, valid: true, data: req.data };
}

function inspectReply(base: Base, ep: EndpointDescriptor, m: RawMessage, body: string): MessageRecord {
  const rec = { ...base, kind: "reply" as const, type: `${ep.service}.${ep.name}` };
  const code = m.headers?.get(Headers.serviceErrorCode);
  if (code) {
    // An error answer is a valid answer: the protocol carries it in headers, the body is empty.
    return { ...rec, valid: true, serviceError: { code: Number(code), description: m.headers?.get(Headers.serviceError) ?? "" } };
  }
  const json = parseJson(body);
  if (!json.ok) return { ...rec, valid: false, code: "invalid-json", reason: json.reason, body };
  const reply = ep.reply.safeParse(json.value);
  if (!reply.success)
    return { ...rec, valid: false, code: "invalid-data", reason: describeIssues(reply.error, "reply").join("; "), data: json.value };
  return { ...rec, valid: true, data: reply.data };
}

function inspectDeadLetter(base: Base, m: RawMessage, body: string): MessageRecord {
  const { value, problems } = deadLetterOf(m.headers, m.subject);
  const json = parseJson(body);
  return {
    ...base,
    kind: "dead-letter",
    type: "dead-letter",
    valid: problems.length === 0,
    deadLetter: value,
    ...(problems.length > 0 ? { reason: problems.join("; ") } : {}),
    ...(json.ok ? { data: json.value } : { body }),
  };
}
