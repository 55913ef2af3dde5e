import { parseArgs } from "node:util";
import { userInfo } from "node:os";
import { parseDuration } from "@lag/config";
import { isSubjectPattern } from "@lag/contracts";
import { UsageError } from "./errors.ts";

/** One option of a command: what parseArgs needs, plus what the help shows. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  multiple?: boolean;
  /** Placeholder in the help: `--count N`. */
  value?: string;
  description: string;
}
export type OptionSpecs = Record<string, OptionSpec>;

export type OptionValue = string | boolean | string[] | boolean[] | undefined;

export interface ParsedArgs {
  values: Record<string, OptionValue>;
  positionals: string[];
}

/** Every command accepts these. */
export const HELP_OPTION: OptionSpecs = {
  help: { type: "boolean", short: "h", description: "show this help" },
};

/** The NATS settings the agents read from the config file and NATS_* variables, overridable here. */
export const CONNECTION_OPTIONS: OptionSpecs = {
  server: {
    type: "string",
    short: "s",
    multiple: true,
    value: "URL",
    description: "NATS server, e.g. nats://127.0.0.1:4222; repeat it or separate with commas for several",
  },
  user: { type: "string", value: "NAME", description: "user name (in production, `cli`)" },
  password: {
    type: "string",
    value: "SECRET",
    description: "password; other users of the machine can see it in `ps`, prefer NATS_PASSWORD or NATS_PASSWORD_FILE",
  },
  creds: { type: "string", value: "FILE", description: "a .creds file (JWT and seed)" },
  nkey: { type: "string", value: "FILE", description: "a file holding an nkey seed (SU…)" },
  config: { type: "string", value: "FILE", description: "the LAG configuration file (default: $LAG_CONFIG, else ./lag.yaml)" },
};

/** Parses argv against the command's options; a mistake becomes a UsageError naming the option. */
export function parseCommandArgs(command: string, argv: readonly string[], options: OptionSpecs): ParsedArgs {
  const config = Object.fromEntries(
    Object.entries(options).map(([name, o]) => [
      name,
      { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.multiple ? { multiple: true } : {}) },
    ]),
  );
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options: config, allowPositionals: true, strict: true });
    return { values: values as Record<string, OptionValue>, positionals };
  } catch (err) {
    // Node's messages are good ("Unknown option '--cuont'"); say where the list of options is.
    const msg = (err as Error).message.replace(/\. To specify a positional argument starting with a '-'.*$/s, "");
    throw new UsageError(`${command}: ${msg}; see \`lag ${command} --help\``);
  }
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const v = args.values[name];
  return typeof v === "string" ? v : undefined;
}

export function booleanOption(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** A repeatable option whose values may also be comma-separated: `-s a -s b,c` → [a, b, c]. */
export function listOption(args: ParsedArgs, name: string): string[] | undefined {
  const v = args.values[name];
  if (!Array.isArray(v)) return undefined;
  const list = (v as string[])
    .flatMap((x) => x.split(","))
    .map((x) => x.trim())
    .filter((x) => x.length > 0);
  return list.length > 0 ? list : undefined;
}

export function integerOption(command: string, args: ParsedArgs, name: string, min: number): number | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${command}: --${name} must be a whole number ≥ ${min}, got ${JSON.stringify(v)}`);
  return n;
}

export function durationOption(command: string, args: ParsedArgs, name: string): number | undefined {
  const v = stringOption(args, name);
  if (v === undefined) return undefined;
  const ms = /^\d+$/.test(v) ? Number(v) : parseDuration(v);
  if (ms === undefined || ms <= 0) {
    throw new UsageError(
      `${command}: --${name} must be a duration like 500ms, 5s or 1m (a bare number is milliseconds), got ${JSON.stringify(v)}`,
    );
  }
  return ms;
}

/** A subject pattern given on the command line, checked before connecting (the server would stay silent on a bad one). */
export function subjectPattern(command: string, pattern: string, what = "subject pattern"): string {
  if (!isSubjectPattern(pattern)) {
    throw new UsageError(`${command}: ${JSON.stringify(pattern)} is not a ${what}; write e.g. lag.it.host.metrics.* or lag.it.>`);
  }
  return pattern;
}

/** Who a person's action is recorded as: `--by`, else $LAG_USER, else the login name. */
export const BY_OPTION: OptionSpecs = {
  by: { type: "string", value: "NAME", description: "who you are, for the audit trail (default: $LAG_USER, else your login name)" },
};

export function personOption(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): string {
  const given = stringOption(args, "by") ?? env.LAG_USER;
  if (given !== undefined && given.trim() !== "") return given.trim();
  try {
    return userInfo().username;
  } catch {
    return "operator";
  }
}

/** The one positional argument a command takes (an id). */
export function onePositional(command: string, args: ParsedArgs, what: string): string {
  if (args.positionals.length !== 1)
    throw new UsageError(`${command}: expected one ${what}, got ${args.positionals.length === 0 ? "none" : args.positionals.length}`);
  return args.positionals[0]!;
}
