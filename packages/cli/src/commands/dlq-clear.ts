import { dlqFilter, dlqStream } from "@lag/contracts";
import { booleanOption, stringOption, subjectPattern } from "../args.ts";
import type { Command } from "../command.ts";
import { countDeadLetters, isNotFound } from "@lag/bus";
import { CliError, UsageError } from "../errors.ts";

/** `lag dlq rm <seq>…`: removes dead letters one by one, once the operator has dealt with them. */
export const dlqRm: Command = {
  name: "dlq rm",
  summary: "remove dead letters by sequence number, once dealt with",
  usage: "<seq>…",
  details: [
    `Deletes each given message from ${dlqStream.name} (\`lag dlq\` lists their sequence numbers). Every one is`,
    "tried; the exit status is 1 when any of them was not there.",
  ],
  options: {},
  connects: true,
  examples: ["lag dlq rm 42", "lag dlq rm 42 43 44"],
  async run({ args, out, bus: connect }) {
    const seqs = args.positionals.map(Number);
    if (seqs.length === 0 || seqs.some((n) => !Number.isInteger(n) || n < 1)) {
      throw new UsageError("dlq rm: give one or more sequence numbers, as `lag dlq` lists them: lag dlq rm 42 43");
    }
    const jsm = await (await connect()).jsm();
    let missing = 0;
    for (const seq of seqs) {
      const removed = await jsm.streams.deleteMessage(dlqStream.name, seq, false).catch(async (err: unknown) => {
        // The server words a missing sequence differently by where it falls (deleted, past the end);
        // whether the message is there says it plainly.
        const there = await jsm.streams.getMessage(dlqStream.name, { seq }).catch((e: unknown) => (isNotFound(e) ? null : undefined));
        if (there === null) return false;
        throw err;
      });
      if (removed) out.line(`removed dead letter ${seq}`);
      else {
        missing++;
        out.line(`no dead letter ${seq} in ${dlqStream.name}`);
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
    `Purges ${dlqStream.name}: all of it, or with --subject only the dead letters whose original subject`,
    "matches. Without --yes it only says how many it would remove (exit 1 when there are any).",
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
        `dlq purge: unexpected argument ${JSON.stringify(args.positionals[0])}; to remove single dead letters write \`lag dlq rm <seq>\``,
      );
    const given = stringOption(args, "subject");
    const subject = given === undefined ? undefined : subjectPattern("dlq purge: --subject", given);
    const filter = dlqFilter(subject);
    const bus = await connect();
    const count = await countDeadLetters(bus, subject);
    if (count === undefined) throw new CliError(`dlq purge: the ${dlqStream.name} stream does not exist yet, so there are no dead letters`);
    const which = subject ? ` from subjects matching ${subject}` : "";
    if (!booleanOption(args, "yes")) {
      out.line(`would remove ${count} dead letter${count === 1 ? "" : "s"}${which}; add --yes to remove them`);
      return count === 0 ? 0 : 1;
    }
    const { purged } = await (await bus.jsm()).streams.purge(dlqStream.name, subject ? { filter } : undefined);
    out.line(`removed ${purged} dead letter${purged === 1 ? "" : "s"}${which}`);
    return 0;
  },
};
