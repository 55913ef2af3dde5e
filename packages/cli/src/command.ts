import type { Bus } from "@lag/bus";
import type { OptionSpecs, ParsedArgs } from "./args.ts";
import type { Output } from "./output.ts";

export interface CommandContext {
  args: ParsedArgs;
  out: Output;
  /** Connects on first call (so `--help` and argument mistakes never need a server); closed by the runner. */
  bus(): Promise<Bus>;
}

/** A `lag` command: its help is generated from these fields. */
export interface Command {
  /** One or two words: `tail`, `dlq show`. */
  name: string;
  summary: string;
  /** After `lag <name>`: `[subject-pattern…]`. */
  usage: string;
  /** Paragraphs printed under the usage line. */
  details?: string[];
  options: OptionSpecs;
  /** Whether the NATS connection options apply. */
  connects: boolean;
  examples: string[];
  run(ctx: CommandContext): Promise<number>;
}
