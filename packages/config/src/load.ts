import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { z } from "zod";
import { envOverrides, type Override } from "./env-overrides.ts";
import { ConfigError } from "./errors.ts";
import { configErrorMap } from "./messages.ts";
import { describeProblems } from "./problems.ts";
import { deepMerge, isRecord, setPath, startsWith } from "./tree.ts";
import { readYamlFile, type YamlFile } from "./yaml-file.ts";

export interface LoadConfigOptions {
  /** The YAML file; else `LAG_CONFIG`, else `./lag.yaml` when it exists, else none. */
  file?: string;
  /** Where overrides and LAG_CONFIG are read; `process.env` by default. */
  env?: NodeJS.ProcessEnv;
  /** Values under the file (the file and the environment win). */
  defaults?: unknown;
  /** Where `./lag.yaml` is looked for and a relative `file` resolves; the working directory by default. */
  cwd?: string;
}

export interface LoadedConfig<T> {
  config: T;
  /** Absolute path of the file read, if any. */
  file: string | undefined;
}

/**
 * Reads the configuration: defaults, then the YAML file, then the environment, validated with
 * `schema`. Throws ConfigError listing every problem (file syntax, unreadable secrets, bad and
 * unknown keys), each with its path and the file line or variable it came from.
 */
export function loadConfig<S extends z.ZodType>(schema: S, opts: LoadConfigOptions = {}): LoadedConfig<z.infer<S>> {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const file = configFile(opts.file, env, cwd);
  let yaml: YamlFile | undefined;
  if (file !== undefined) {
    const read = readYamlFile(file, cwd);
    if (!read.ok) throw new ConfigError(read.problems, file);
    yaml = read.yaml;
  }
  const fromEnv = envOverrides(env, schema);
  // A copy: overrides are written into this tree, and the caller's defaults must stay as they were.
  const tree = deepMerge(structuredClone(opts.defaults ?? {}), yaml?.data ?? {});
  const root: Record<string, unknown> = isRecord(tree) ? tree : {};
  const applied = fromEnv.overrides.map((o) => ({ ...o, path: setPath(root, o.segments, o.value) }));

  let result = schema.safeParse(root, { error: configErrorMap });
  if (!result.success && retryAsText(root, applied, result.error)) result = schema.safeParse(root, { error: configErrorMap });
  const problems = [...fromEnv.problems];
  if (!result.success) problems.push(...describeProblems(result.error, schema, yaml, applied));
  if (problems.length > 0) throw new ConfigError(problems, file);
  return { config: (result as { data: z.infer<S> }).data, file };
}

/** The configuration file a process reads: the one given, else `LAG_CONFIG`, else `./lag.yaml` when it exists, else none. */
export function configFile(explicit: string | undefined, env: NodeJS.ProcessEnv, cwd: string): string | undefined {
  if (explicit !== undefined) return resolve(cwd, explicit);
  if (env.LAG_CONFIG) return resolve(cwd, env.LAG_CONFIG);
  const local = resolve(cwd, "lag.yaml");
  return existsSync(local) ? local : undefined;
}

/**
 * `LAG__NATS__PASSWORD=12345` reads as a number; where the schema refused such a value, the
 * variable's text is put back as a string. Returns whether anything changed.
 */
function retryAsText(root: Record<string, unknown>, applied: Array<Override & { path: (string | number)[] }>, error: z.ZodError): boolean {
  let changed = false;
  for (const o of applied) {
    if (o.raw === undefined) continue;
    if (!error.issues.some((i) => startsWith(i.path, o.path))) continue;
    setPath(root, o.path.map(String), o.raw);
    changed = true;
  }
  return changed;
}
