import { countDeadLetters, parseDeadLetterId, purgeDeadLetters, removeDeadLetter } from "@lag/bus";
import { booleanOption, stringOption, subjectPattern } from "../args.ts";
import type { Command } from "../command.ts";
import { CliError, UsageError } from "../errors.ts";

/** `lag dlq rm <id>…`: removes dead letters one by one, once the operator has dealt with them. */
export const dlqRm: Command = {
  name: "dlq rm",
  summary: "remove dead letters by id, once dealt with",
  usage: "<principal>/<seq>…",
  details: [
    "Deletes each given message from its dead-letter stream (`lag dlq` lists their ids). Every one is",
    "tried; the exit status is 1 when any of them was not there.",
  ],
  options: {},
  connects: true,
  examples: ["lag dlq rm ceo/42", "lag dlq rm ceo/42 ceo/43 media/7"],
  async run({ args, out, bus: connect }) {
    const ids = args.positionals;
    const bad = ids.find((id) => !parseDeadLetterId(id));
    if (ids.length === 0 || bad !== undefined) {
      throw new UsageError(
        `dlq rm: ${bad !== undefined ? `${JSON.stringify(bad)} is not a dead letter's id; ` : ""}give one or more ids, as \`lag dlq\` lists them: lag dlq rm ceo/42 ceo/43`,
      );
    }
    const bus = await connect();
    let missing = 0;
    for (const id of ids) {
      if (await removeDeadLetter(bus, id)) out.line(`removed dead letter ${id}`);
      else {
        missing++;
        out.line(`no dead letter ${id}`);
      }
    }
    return missing > 0 ? 1 : 0;
  },
};

/** `lag dlq purge`: removes every dead letter, or those of one original subject pattern. */
export const dlqPurge: Command = {
  name: "dlq purge",
  summary: "remove every dead letter (or those of a subject pattern); asks for --yes",
  usage: "",
  details: [
    "Purges every principal's dead-letter stream: all of them, or with --subject only the dead letters",
    "whose original subject matches. Without --yes it only says how many it would remove (exit 1 when there are any).",
  ],
  options: {
    subject: { type: "string", value: "PATTERN", description: "only dead letters whose original subject matches, e.g. 'lag.it.>'" },
    yes: { type: "boolean", description: "really remove them" },
  },
  connects: true,
  examples: ["lag dlq purge", "lag dlq purge --subject 'lag.it.host.metrics.*' --yes"],
  async run({ args, out, bus: connect }) {
    if (args.positionals.length > 0)
      throw new UsageError(
        `dlq purge: unexpected argument ${JSON.stringify(args.positionals[0])}; to remove single dead letters write \`lag dlq rm <id>\``,
      );
    const given = stringOption(args, "subject");
    const subject = given === undefined ? undefined : subjectPattern("dlq purge: --subject", given);
    const bus = await connect();
    const count = await countDeadLetters(bus, subject);
    if (count === undefined) throw new CliError("dlq purge: no dead-letter stream exists yet, so there are no dead letters");
    const which = subject ? ` from subjects matching ${subject}` : "";
    if (!booleanOption(args, "yes")) {
      out.line(`would remove ${count} dead letter${count === 1 ? "" : "s"}${which}; add --yes to remove them`);
      return count === 0 ? 0 : 1;
    }
    const purged = await purgeDeadLetters(bus, subject);
    out.line(`removed ${purged} dead letter${purged === 1 ? "" : "s"}${which}`);
    return 0;
  },
};
