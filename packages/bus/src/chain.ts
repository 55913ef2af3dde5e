import { catalog, isDlqStream, type EnvelopeType } from "@lag/contracts";
import type { Bus } from "./bus.ts";
import { isNotFound, readWholeStream } from "./jetstream.ts";
import { principalOfSource } from "./source.ts";

export type ChainEvent = EnvelopeType<Record<string, unknown>>;

/** The durable streams a chain's events can be in: every one but the dead letters. */
export const CHAIN_STREAMS: readonly string[] = catalog.streams.filter((s) => !isDlqStream(s.name)).map((s) => s.name);

/** Every envelope of a stream, in order; a stream not made yet (a worker that never ran) holds none. */
async function readStream(bus: Bus, stream: string, since: Date | undefined): Promise<ChainEvent[]> {
  const out: ChainEvent[] = [];
  try {
    for await (const m of readWholeStream(bus.js, stream, since ? { since } : {})) {
      try {
        out.push(m.json<ChainEvent>());
      } catch {
        // Not an envelope (it would be in the dead letters): not part of any chain.
      }
    }
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  return out;
}

/** The chain an id names: an event's id, a chain's own id (an incident, a restore run), an approval request's id. */
function chainOf(id: string, events: readonly ChainEvent[]): string | undefined {
  const byId = events.find((e) => e.id === id);
  if (byId?.correlationid) return byId.correlationid;
  if (byId) return events.find((e) => e.causationid === id && e.correlationid)?.correlationid;
  if (events.some((e) => e.correlationid === id)) return id;
  const named = events.find((e) => (e.data.id === id || e.data.requestId === id) && e.correlationid);
  return named?.correlationid;
}

export interface Chain {
  /** The correlation id every member carries. */
  id: string;
  /** Its events and the causes outside it (the alert that opened an incident), by time. */
  events: ChainEvent[];
}

/**
 * One chain of cause and effect across agents, read from the streams: the events carrying the
 * correlation the id names, and the events outside it that caused one of them; an event in no chain
 * alone. Undefined when no event has that id. The streams hold 90 days: `since` (a little before the
 * chain began, when it is known) reads only what was stored from then on. Events of the same millisecond keep their streams' order (a stable sort).
 */
export async function readChain(
  bus: Bus,
  id: string,
  opts: { streams?: readonly string[]; since?: Date } = {},
): Promise<Chain | undefined> {
  const events = (await Promise.all((opts.streams ?? CHAIN_STREAMS).map((s) => readStream(bus, s, opts.since)))).flat();
  const chain = chainOf(id, events);
  if (!chain) {
    // An event that started nothing and belongs to no chain is a chain of one.
    const alone = events.find((e) => e.id === id);
    return alone ? { id, events: [alone] } : undefined;
  }
  const members = events.filter((e) => e.correlationid === chain);
  const causes = new Set(members.map((e) => e.causationid).filter((c): c is string => !!c));
  const ids = new Set(members.map((e) => e.id));
  const outside = events.filter((e) => causes.has(e.id) && !ids.has(e.id));
  return { id: chain, events: [...outside, ...members].sort((a, b) => Date.parse(a.time) - Date.parse(b.time)) };
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});

/** The principal that published it, from its CloudEvents source (the source itself when not a Bus's). */
export function publisherOf(e: ChainEvent): string {
  return principalOfSource(e.source) ?? e.source;
}

/** One line of what an event says: who did what. */
export function describeEvent(e: ChainEvent): string {
  const d = e.data;
  const short = e.type.replace(/^es\.lagrieta\./, "").replace(/\.v\d+$/, "");
  if (short.endsWith("alert")) return `alert ${d.status} ${d.rule}: ${d.summary}`;
  if (short === "it.incident") {
    const entry = obj(d.entry);
    const actor = obj(entry.actor);
    return `incident ${entry.kind} (${actor.kind}:${actor.name}): ${entry.note}`;
  }
  if (short === "it.notification") return `notification ${d.kind}: ${d.title}`;
  if (short.endsWith("approval.requested")) return `approval requested by ${d.requester}: ${obj(d.action).kind} — ${d.reason}`;
  if (short === "ceo.approval.asked") return `approval waits for a person: ${obj(obj(d.request).evidence).summary}`;
  if (short === "ceo.approval.decided")
    return `approval ${d.decision} by ${obj(d.by).kind}:${obj(d.by).name} via ${d.channel}${d.rule ? ` (rule ${d.rule})` : ""}`;
  if (typeof d.note === "string" && d.note) return `${short}: ${d.note}`;
  if (typeof d.summary === "string" && d.summary) return `${short}: ${d.summary}`;
  return short;
}
