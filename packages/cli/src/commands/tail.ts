import type { Msg, NatsConnection, Subscription } from "@nats-io/nats-core";
import { booleanOption, integerOption, subjectPattern } from "../args.ts";
import type { Command } from "../command.ts";
import { CliError } from "../errors.ts";
import { Inspector } from "../inspect.ts";
import { renderMessage } from "../render-message.ts";

export const tail: Command = {
  name: "tail",
  summary: "print live messages, decoded and checked against the contracts",
  usage: "[subject-pattern…]",
  details: [
    "Subscribes to the patterns (default lag.>) and prints each message: time, subject, type, a one-line",
    "summary of its data and its correlation id. A message that breaks its contract is flagged in red with",
    "the reason, naming the field. Service requests are shown as such (→); their replies travel on private",
    "inboxes, so add the caller's inbox to see them (←): lag tail 'lag.>' '_INBOX_media.>'. Dead letters",
    "(lag.dlq.>) show why they were parked.",
  ],
  options: {
    json: { type: "boolean", description: "one JSON object per line: {time, subject, kind, valid, type?, data?, reason?, code?, …}" },
    full: { type: "boolean", description: "print each message's whole JSON under its line" },
    count: { type: "string", value: "N", description: "exit after N messages" },
  },
  connects: true,
  examples: ["lag tail", "lag tail 'lag.it.alert.>'", "lag tail 'lag.it.host.metrics.kronos' --full", "lag tail --json --count 10 | jq ."],
  async run({ args, out, bus: connect }) {
    const patterns = args.positionals.length > 0 ? args.positionals : ["lag.>"];
    for (const p of patterns) subjectPattern("tail", p);
    const count = integerOption("tail", args, "count", 1);
    const json = booleanOption(args, "json");
    const full = booleanOption(args, "full");
    const bus = await connect();
    const inspector = new Inspector();
    let seen = 0;
    let finish!: (err?: Error) => void;
    const finished = new Promise<Error | undefined>((r) => (finish = r));
    const subs = subscribeAll(bus.nc, patterns, finish, (m) => {
      if (count !== undefined && seen >= count) return;
      seen++;
      const rec = inspector.inspect(m);
      if (json) out.json(rec);
      else for (const l of renderMessage(rec, out.style, full)) full ? out.line(l) : out.fitted(l);
      if (count !== undefined && seen >= count) finish();
    });
    // Ctrl-C is how a tail normally ends: not an error.
    const stop = () => finish();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    try {
      await bus.nc.flush();
      // On stderr, so it never mixes with the data; scripts and tests wait for it before publishing.
      out.note(
        `listening on ${patterns.join(", ")}${count !== undefined ? ` for ${count} message${count === 1 ? "" : "s"}` : " (Ctrl-C to stop)"}`,
      );
      const err = await finished;
      if (err) throw new CliError(`tail: NATS ended the subscription: ${err.message}`);
      return 0;
    } finally {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      for (const s of subs) s.unsubscribe();
    }
  },
};

/**
 * One subscription per pattern. A subscription the server refuses (permissions) ends with an error
 * in its callback; that ends the tail with the reason rather than leaving it silently deaf.
 */
function subscribeAll(
  nc: NatsConnection,
  patterns: readonly string[],
  fail: (err: Error) => void,
  onMessage: (m: Msg) => void,
): Subscription[] {
  return patterns.map((p) => nc.subscribe(p, { callback: (err, m) => (err ? fail(err) : onMessage(m)) }));
}
