import { listDeadLetters, type DeadLetterEntry } from "@lag/bus";
import { booleanOption, integerOption, stringOption, subjectPattern } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { Style } from "../style.ts";
import { table } from "../table.ts";
import { when } from "../times.ts";

const DEFAULT_LIMIT = 50;

export const dlq: Command = {
  name: "dlq",
  summary: "list dead letters: messages parked because they broke their contract or kept failing",
  usage: "",
  details: [
    "Reads every principal's dead-letter stream (LAG_DLQ_<PRINCIPAL>; nothing is changed or acknowledged)",
    "and prints the newest dead letters, oldest first: id (<principal>/<seq>), when, the original subject,",
    "the code, how many deliveries were tried, and the reason. `lag dlq show <id>` prints one in full.",
  ],
  options: {
    json: {
      type: "boolean",
      description:
        "a JSON array: {id, dlqStream, seq, time, principal, subject, code, reason, deliveries, stream?, sequence?, consumer?, dlqSubject, size}",
    },
    limit: { type: "string", value: "N", description: `show the newest N (default ${DEFAULT_LIMIT})` },
    subject: { type: "string", value: "PATTERN", description: "only dead letters whose original subject matches, e.g. 'lag.it.>'" },
  },
  connects: true,
  examples: [
    "lag dlq",
    "lag dlq --subject 'lag.it.host.metrics.*' --limit 10",
    "lag dlq --json | jq '.[] | {id, code, reason}'",
    "lag dlq show ceo/42",
  ],
  async run({ args, out, bus: connect }) {
    if (args.positionals.length > 0) {
      throw new UsageError(
        `dlq: unexpected argument ${JSON.stringify(args.positionals[0])}; to see one dead letter write \`lag dlq show <id>\``,
      );
    }
    const limit = integerOption("dlq", args, "limit", 1) ?? DEFAULT_LIMIT;
    const given = stringOption(args, "subject");
    const subject = given === undefined ? undefined : subjectPattern("dlq: --subject", given);
    const bus = await connect();
    const list = await listDeadLetters(bus, { limit, ...(subject !== undefined ? { subject } : {}) });
    if (booleanOption(args, "json")) {
      out.prettyJson(list.entries);
      return 0;
    }
    if (!list.exists) {
      out.note("no dead letters: no dead-letter stream exists yet (each agent creates its own when it starts)");
      return 0;
    }
    if (list.entries.length === 0) {
      out.note(`no dead letters${subject ? ` from subjects matching ${subject}` : ""}`);
      return 0;
    }
    for (const l of render(list.entries, out.style)) out.fitted(l);
    const shown = list.entries.length < list.total ? `the newest ${list.entries.length} of ${list.total}` : `${list.total}`;
    out.note(`${shown} dead letter${list.total === 1 ? "" : "s"} · \`lag dlq show <id>\` prints one in full`);
    return 0;
  },
};

function render(entries: readonly DeadLetterEntry[], s: Style): string[] {
  const rows = entries.map((e) => [
    e.id,
    when(e.time),
    s.cyan(e.subject ?? "?"),
    s.yellow(e.code ?? "?"),
    e.deliveries !== undefined ? String(e.deliveries) : "-",
    `${e.reason ?? ""}${e.problems ? s.red(` [${e.problems.join("; ")}]`) : ""}`,
  ]);
  return table(["ID", "TIME", "SUBJECT", "CODE", "DELIVERIES", "REASON"], rows, s.bold);
}
