import { getDeadLetter, parseDeadLetterId } from "@lag/bus";
import { booleanOption } from "../args.ts";
import type { Command } from "../command.ts";
import { CliError, UsageError } from "../errors.ts";

export const dlqShow: Command = {
  name: "dlq show",
  summary: "print one dead letter: why it was parked, every header, and the original payload",
  usage: "<principal>/<seq>",
  options: {
    json: {
      type: "boolean",
      description: "one JSON object: {id, dlqStream, seq, time, dlqSubject, deadLetter fields…, headers, payload, json?}",
    },
  },
  connects: true,
  examples: ["lag dlq show ceo/42", "lag dlq show ceo/42 --json | jq -r .payload"],
  async run({ args, out, bus: connect }) {
    const [id, extra] = args.positionals;
    if (id === undefined || extra !== undefined || !parseDeadLetterId(id)) {
      throw new UsageError("dlq show: give one dead letter's id, as `lag dlq` lists them: lag dlq show ceo/42");
    }
    const found = await getDeadLetter(await connect(), id);
    if (!found) throw new CliError(`dlq show: no dead letter ${id}; \`lag dlq\` lists them`);
    const { entry, data, stored } = found;
    const headers: Record<string, string[]> = {};
    for (const [k, v] of found.headers ?? []) headers[k] = v;
    const payload = new TextDecoder().decode(data);
    let json: unknown;
    try {
      json = JSON.parse(payload);
    } catch {
      json = undefined;
    }
    if (booleanOption(args, "json")) {
      out.prettyJson({ ...entry, stored: stored.toISOString(), headers, payload, ...(json !== undefined ? { json } : {}) });
      return 0;
    }
    const s = out.style;
    out.line(s.bold(`dead letter ${entry.id}`) + s.dim(` · ${entry.dlqStream} · stored ${stored.toISOString()} · ${entry.dlqSubject}`));
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
    out.line(s.bold(`payload (${data.length} bytes${json !== undefined ? ", JSON" : ""})`));
    out.line(json !== undefined ? JSON.stringify(json, null, 2) : payload);
    return 0;
  },
};
