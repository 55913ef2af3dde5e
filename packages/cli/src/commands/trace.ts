import type { Bus } from "@lag/bus";
import { approvalsStream, eventForType, incidentsStream, itStream, type EnvelopeType } from "@lag/contracts";
import { booleanOption, onePositional } from "../args.ts";
import type { Command } from "../command.ts";
import { CliError } from "../errors.ts";

/** Where a chain's events are: the alerts, the incidents, the approvals. */
const STREAMS = [itStream.name, incidentsStream.name, approvalsStream.name];

type Env = EnvelopeType<Record<string, unknown>>;

/**
 * Every event of a stream, in order, in batches (an ordered consumer: nothing is acknowledged or
 * changed). `pending` after each message says how many remain; an empty batch ends it too.
 */
async function readStream(bus: Bus, stream: string): Promise<Env[]> {
  const c = await bus.js.consumers.get(stream);
  const out: Env[] = [];
  for (let pending = 1; pending > 0; ) {
    const batch = await c.fetch({ max_messages: 1_000, expires: 2_000 });
    let got = 0;
    for await (const m of batch) {
      got++;
      pending = m.info.pending;
      try {
        out.push(m.json<Env>());
      } catch {
        // Not an envelope (it would be in the dead letters): not part of any chain.
      }
    }
    if (got === 0) break;
  }
  return out;
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});

/** The chain an id names: an event's id, a chain's own id (an incident), an approval request's id. */
function chainOf(id: string, events: readonly Env[]): string | undefined {
  const byId = events.find((e) => e.id === id);
  if (byId?.correlationid) return byId.correlationid;
  if (byId) return events.find((e) => e.causationid === id && e.correlationid)?.correlationid;
  if (events.some((e) => e.correlationid === id)) return id;
  const named = events.find((e) => (e.data.id === id || e.data.requestId === id) && e.correlationid);
  return named?.correlationid;
}

/** One line of what an event says: who did what. */
export function describe(e: Env): string {
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
  return short;
}

export const trace: Command = {
  name: "trace",
  summary:
    "the whole chain of an incident, an approval or an event: alert → incident → approval → decision → action → resolution, in order",
  usage: "ID",
  details: [
    "ID: an incident id, an approval request id, or any event's id. The chain is read from the streams",
    "(LAG_IT, LAG_IT_INCIDENTS, LAG_APPROVALS) by the correlation id its events carry; the alert that",
    "opened the incident is found as the cause of its first entries. Exit 1 when nothing has that id.",
  ],
  options: { json: { type: "boolean", description: "the chain's events (CloudEvents envelopes) as a JSON array" } },
  connects: true,
  examples: ["lag trace inc-20261123-061200-kronos-a1b2", "lag trace 5d1c7d7e-8a43-4b0e-9f1e-2f6f0f1c2b3a --json"],
  async run({ args, out, bus: connect }) {
    const id = onePositional("trace", args, "an incident, approval or event id");
    const bus = await connect();
    const events = (await Promise.all(STREAMS.map((s) => readStream(bus, s)))).flat();
    const chain = chainOf(id, events);
    if (!chain) throw new CliError(`trace: no incident, approval or event ${id} in ${STREAMS.join(", ")}`);
    const members = events.filter((e) => e.correlationid === chain);
    const causes = new Set(members.map((e) => e.causationid).filter((c): c is string => !!c));
    const ids = new Set(members.map((e) => e.id));
    const outside = events.filter((e) => causes.has(e.id) && !ids.has(e.id));
    // By time; events of the same millisecond keep their streams' order (a stable sort).
    const all = [...outside, ...members].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
    if (booleanOption(args, "json")) {
      out.prettyJson(all);
      return 0;
    }
    const s = out.style;
    out.line(s.bold(`chain ${chain}: ${all.length} events`));
    for (const e of all) {
      const who = e.source.split("/")[2] ?? e.source;
      const known = eventForType(e.type) ? "" : s.dim(" (unknown type)");
      out.fitted(`${e.time}  ${who.padEnd(15)} ${describe(e)}${known}${e.causationid ? s.dim(`  ← ${e.causationid}`) : ""}`);
    }
    return 0;
  },
};
