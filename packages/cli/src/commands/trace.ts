import { CHAIN_STREAMS, describeEvent, publisherOf, readChain } from "@lag/bus";
import { eventForType } from "@lag/contracts";
import { booleanOption, durationOption, onePositional, stringOption } from "../args.ts";
import type { Command } from "../command.ts";
import { CliError } from "../errors.ts";

export const trace: Command = {
  name: "trace",
  summary:
    "the whole chain of an incident, an approval or an event: alert → incident → approval → decision → action → resolution, in order",
  usage: "ID",
  details: [
    "ID: an incident id, an approval request id, a restore run id, or any event's id. The chain is read",
    "from every durable stream (LAG_IT, LAG_IT_INCIDENTS, LAG_IT_BACKUPS, LAG_APPROVALS, …) by the",
    "correlation id its events carry; the alert that opened an incident is found as the cause of its",
    "first entries. Exit 1 when nothing has that id.",
  ],
  options: {
    json: { type: "boolean", description: "the chain's events (CloudEvents envelopes) as a JSON array" },
    since: {
      type: "string",
      value: "DURATION",
      description: "read only what the streams stored in the last DURATION (7d): faster on full streams",
    },
  },
  connects: true,
  examples: [
    "lag trace inc-20261123-061200-kronos-a1b2",
    "lag trace 5d1c7d7e-8a43-4b0e-9f1e-2f6f0f1c2b3a --json",
    "lag trace inc-20261123-061200-kronos-a1b2 --since 2d",
  ],
  async run({ args, out, bus: connect }) {
    const id = onePositional("trace", args, "an incident, approval or event id");
    const sinceMs = durationOption("trace", args, "since");
    const bus = await connect();
    const found = await readChain(bus, id, sinceMs === undefined ? {} : { since: new Date(Date.now() - sinceMs) });
    if (!found)
      throw new CliError(
        `trace: no incident, approval or event ${id} in ${CHAIN_STREAMS.join(", ")}${sinceMs === undefined ? "" : ` (since ${stringOption(args, "since")})`}`,
      );
    const { id: chain, events: all } = found;
    if (booleanOption(args, "json")) {
      out.prettyJson(all);
      return 0;
    }
    const s = out.style;
    out.line(s.bold(`chain ${chain}: ${all.length} events`));
    for (const e of all) {
      const known = eventForType(e.type) ? "" : s.dim(" (unknown type)");
      out.fitted(
        `${e.time}  ${publisherOf(e).padEnd(15)} ${describeEvent(e)}${known}${e.causationid ? s.dim(`  ← ${e.causationid}`) : ""}`,
      );
    }
    return 0;
  },
};
