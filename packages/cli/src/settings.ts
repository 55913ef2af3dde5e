import { resolve } from "node:path";
import { z } from "zod";
import type { NatsSettings } from "@lag/bus";
import { CommonConfig, loadConfig } from "@lag/config";
import { listOption, stringOption, type ParsedArgs } from "./args.ts";

/**
 * The CLI reads the same file and variables as the agents (nats.*, NATS_URL, NATS_USER, …), but
 * only the common part: the sections of agents (`it:`, `ceo:`, …) are theirs to validate, and a
 * debugging tool must not refuse to run because of a mistake in a section it does not use.
 */
const CliConfig = CommonConfig.catchall(z.unknown());

/**
 * The directory the operator typed the command in. `pnpm lag` runs scripts from the repository
 * root and leaves the caller's directory in INIT_CWD; a relative `--config`/`--creds` must mean
 * the file the operator sees.
 */
export function callerDirectory(env: NodeJS.ProcessEnv = process.env): string {
  return env.npm_lifecycle_event === "lag" && env.INIT_CWD ? env.INIT_CWD : process.cwd();
}

export interface ResolvedSettings {
  nats: NatsSettings;
  /** The configuration file read, if any. */
  file: string | undefined;
}

/**
 * Config file and environment first (as the agents read them), then the flags on top. Throws
 * ConfigError, listing every problem, when the file or the environment is invalid.
 */
export function natsSettings(args: ParsedArgs, env: NodeJS.ProcessEnv = process.env): ResolvedSettings {
  const here = callerDirectory(env);
  const file = stringOption(args, "config");
  const { config, file: read } = loadConfig(CliConfig, { env, ...(file !== undefined ? { file: resolve(here, file) } : {}) });
  const nats: NatsSettings = { ...config.nats };
  const servers = listOption(args, "server");
  if (servers) nats.servers = servers;
  const user = stringOption(args, "user");
  if (user !== undefined) nats.user = user;
  const password = stringOption(args, "password");
  if (password !== undefined) nats.password = password;
  const creds = stringOption(args, "creds");
  if (creds !== undefined) nats.credsFile = resolve(here, creds);
  const nkey = stringOption(args, "nkey");
  if (nkey !== undefined) {
    nats.nkeyFile = resolve(here, nkey);
    // A seed from the config would win over the file in @lag/bus; the flag is what was asked for.
    delete nats.nkeySeed;
  }
  return { nats, file: read };
}
