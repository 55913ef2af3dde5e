import { CONNECTION_OPTIONS, HELP_OPTION, type OptionSpecs } from "./args.ts";
import type { Command } from "./command.ts";

function optionLines(specs: OptionSpecs): string[] {
  const rows = Object.entries(specs).map(([name, o]) => [
    `${o.short ? `-${o.short}, ` : "    "}--${name}${o.value ? ` ${o.value}` : ""}`,
    o.description,
  ]);
  const w = Math.max(...rows.map(([l]) => l!.length));
  return rows.map(([l, d]) => `  ${l!.padEnd(w)}  ${d}`);
}

export function commandHelp(c: Command): string {
  return [
    `lag ${c.name} — ${c.summary}`,
    "",
    "Usage:",
    `  lag ${c.name}${c.usage ? ` ${c.usage}` : ""} [options]`,
    ...(c.details ? ["", ...c.details] : []),
    "",
    "Options:",
    ...optionLines({ ...c.options, ...HELP_OPTION }),
    ...(c.connects
      ? ["", "Connection (default: the config file and NATS_* variables, as the agents read them):", ...optionLines(CONNECTION_OPTIONS)]
      : []),
    "",
    "Examples:",
    ...c.examples.map((e) => `  ${e}`),
    "",
  ].join("\n");
}

export function mainHelp(commands: readonly Command[]): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    "lag — look at the LAG bus: live messages, services, dead letters",
    "",
    "Usage:",
    "  lag <command> [arguments] [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    "",
    "`lag <command> --help` shows a command's options and examples.",
    "NATS settings come from the config file ($LAG_CONFIG or ./lag.yaml) and NATS_URL, NATS_USER, NATS_PASSWORD,",
    "NATS_CREDS, NATS_NKEY (each secret also as …_FILE), like the agents; --server/--user/… override them.",
    "Exit codes: 0 ok · 1 the operation failed · 2 NATS unreachable or refused us · 64 bad command line · 78 bad configuration",
    "",
  ].join("\n");
}
