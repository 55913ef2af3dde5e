import { dlqStream } from "@lag/contracts";
import { booleanOption } from "../args.ts";
import type { Command } from "../command.ts";
import { deadLetterEntry, isNotFound } from "@lag/bus";
import { CliError, UsageError } from "../errors.ts";

export const dlqShow: Command = {
  name: "dlq show",
  summary: "print one dead letter: why it was parked, every header, and the original payload",
  usage: "<seq>",
  options: {
    json: { type: "boolean", description: "one JSON object: {seq, time, dlqSubject, deadLetter fields…, headers, payload, json?}" },
  },
  connects: true,
  examples: ["lag dlq show 42", "lag dlq show 42 --json | jq -r .payload"],
  async run({ args, out, bus: connect }) {
    const [text, extra] = args.positionals;
    const seq = Number(text);
    if (text === undefined || !Number.isInteger(seq) || seq < 1 || extra !== undefined) {
      throw new UsageError("dlq show: give one sequence number, as `lag dlq` lists them: lag dlq show 42");
    }
    const bus = await connect();
    const jsm = await bus.jsm();
    let m;
    try {
      m = await jsm.streams.getMessage(dlqStream.name, { seq });
    } catch (err) {
      if (isNotFound(err)) throw await notFound(seq, () => jsm.streams.info(dlqStream.name));
      throw err;
    }
    if (!m) throw await notFound(seq, () => jsm.streams.info(dlqStream.name));
    const entry = deadLetterEntry(m.seq, m.subject, m.header, m.data.length, m.time);
    const headers: Record<string, string[]> = {};
    for (const [k, v] of m.header ?? []) headers[k] = v;
    const payload = new TextDecoder().decode(m.data);
    let json: unknown;
    try {
      json = JSON.parse(payload);
    } catch {
      json = undefined;
    }
    if (booleanOption(args, "json")) {
      out.prettyJson({ ...entry, stored: m.time.toISOString(), headers, payload, ...(json !== undefined ? { json } : {}) });
      return 0;
    }
    const s = out.style;
    out.line(s.bold(`dead letter ${entry.seq} in ${dlqStream.name}`) + s.dim(` · stored ${m.time.toISOString()} · ${entry.dlqSubject}`));
    const fields: [string, string | number | undefined][] = [
      ["code", entry.code],
      ["reason", entry.reason],
      ["subject", entry.subject],
      ["principal", entry.principal],
      ["time", entry.time],
      ["stream", entry.stream],
      ["sequence", entry.sequence],
      ["consumer", entry.consumer],
      ["deliveries", entry.deliveries],
    ];
    for (const [k, v] of fields) if (v !== undefined) out.line(`${k.padEnd(11)}${k === "code" ? s.yellow(String(v)) : String(v)}`);
    if (entry.problems) out.line(s.red(`headers problems: ${entry.problems.join("; ")}`));
    out.line();
    out.line(s.bold("headers"));
    for (const [k, vs] of Object.entries(headers)) for (const v of vs) out.line(`  ${k}: ${v}`);
    out.line();
    out.line(s.bold(`payload (${m.data.length} bytes${json !== undefined ? ", JSON" : ""})`));
    out.line(json !== undefined ? JSON.stringify(json, null, 2) : payload);
    return 0;
  },
};

/** Says which sequences exist, so the next try can be right. */
async function notFound(
  seq: number,
  info: () => Promise<{ state: { first_seq: number; last_seq: number; messages: number } }>,
): Promise<CliError> {
  try {
    const { state } = await info();
    const range = state.messages > 0 ? `it holds ${state.messages} between ${state.first_seq} and ${state.last_seq}` : "it is empty";
    return new CliError(`dlq show: no dead letter with sequence ${seq} in ${dlqStream.name} (${range}); \`lag dlq\` lists them`);
  } catch (err) {
    if (isNotFound(err)) return new CliError(`dlq show: the ${dlqStream.name} stream does not exist yet, so there are no dead letters`);
    throw err;
  }
}
