import type { Bus } from "@lag/bus";
import { ConfigError, formatConfigError } from "@lag/config";
import { PermissionViolationError } from "@nats-io/nats-core";
import { CONNECTION_OPTIONS, HELP_OPTION, parseCommandArgs } from "./args.ts";
import type { Command, CommandContext } from "./command.ts";
import { commands, findCommand } from "./registry.ts";
import { connectCli } from "./connection.ts";
import { closest as closestName } from "@lag/config";
import { CliError, EXIT, UsageError } from "./errors.ts";
import { commandHelp, mainHelp } from "./help.ts";
import { Output } from "./output.ts";
import { natsSettings } from "./settings.ts";

/** Runs one `lag …` command line and returns its exit code; never throws. */
export async function runCli(argv: readonly string[], out: Output = new Output(), env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [first, second] = argv;
  if (first === undefined) {
    out.error(mainHelp(commands));
    return EXIT.usage;
  }
  if (first === "-h" || first === "--help" || first === "help") {
    const about = second !== undefined ? findCommand(argv.slice(1)) : undefined;
    if (second !== undefined && !about) return report(out, undefined, unknownCommand(argv.slice(1).join(" ")));
    out.line(about ? commandHelp(about.command) : mainHelp(commands));
    return EXIT.ok;
  }
  const found = findCommand(argv);
  if (!found) return report(out, undefined, unknownCommand(first));
  const { command, rest } = found;
  let bus: Bus | undefined;
  try {
    const args = parseCommandArgs(command.name, rest, {
      ...command.options,
      ...HELP_OPTION,
      ...(command.connects ? CONNECTION_OPTIONS : {}),
    });
    if (args.values.help === true) {
      out.line(commandHelp(command));
      return EXIT.ok;
    }
    const ctx: CommandContext = {
      args,
      out,
      bus: async () => (bus ??= await connectCli(natsSettings(args, env).nats, command.name, (l) => out.error(l))),
    };
    return await command.run(ctx);
  } catch (err) {
    return report(out, command, err);
  } finally {
    await bus?.close().catch(() => undefined);
  }
}

function unknownCommand(name: string): UsageError {
  const names = commands.map((c) => c.name);
  const close = closestName(name, names);
  return new UsageError(
    `unknown command ${JSON.stringify(name)}${close ? ` (did you mean ${close}?)` : ""}; the commands are: ${names.join(", ")}`,
  );
}

/** One message on stderr for every way a command can fail, and the exit code that goes with it. */
function report(out: Output, command: Command | undefined, err: unknown): number {
  const prefix = `lag${command ? ` ${command.name}` : ""}:`;
  const red = out.errStyle.red;
  if (err instanceof ConfigError) {
    out.error(formatConfigError(err));
    return EXIT.config;
  }
  if (err instanceof CliError) {
    // Command messages already start with the command name.
    const text = command && err.message.startsWith(`${command.name}:`) ? `lag ${err.message}` : `${prefix} ${err.message}`;
    out.error(red(text));
    return err.exitCode;
  }
  if (err instanceof PermissionViolationError) {
    out.error(
      red(
        `${prefix} NATS denied ${err.operation} on ${err.subject}: the user the CLI connects as may not do this (production: user \`cli\`, see infra/nats/prod.conf)`,
      ),
    );
    return EXIT.failed;
  }
  const e = err as Error;
  out.error(red(`${prefix} ${e.message}`));
  if (process.env.LAG_DEBUG) out.error(e.stack ?? "");
  else out.error(out.errStyle.dim("(set LAG_DEBUG=1 to see where it happened)"));
  return EXIT.failed;
}
