import { readFileSync } from "node:fs";
import type { z } from "zod";
import { envValue, segmentKey } from "./env-value.ts";
import { hasPath, isOpaqueAt } from "./schema-walk.ts";

/** One value the environment puts into the configuration tree. */
export interface Override {
  /** Variable that set it, as problems name it. */
  source: string;
  segments: string[];
  value: unknown;
  /** The variable's text when `value` was read from it as a number/boolean: tried as a string if that fails validation. */
  raw?: string;
}

export interface EnvOverrides {
  overrides: Override[];
  problems: string[];
}

const PREFIX = "LAG__";

/**
 * Well-known variables of the NATS tools and of LAG itself. Each applies only to a schema that has
 * its key, so NATS_URL in a shell does not break a process that does not talk to NATS.
 */
interface Alias {
  path: string[];
  /** Comma-separated list (NATS_URL). */
  list?: boolean;
  /** Never parsed as YAML: a password `12345` stays text. */
  text?: boolean;
  /** Also accepted as NAME_FILE: the value is the content of that file. */
  secret?: boolean;
}

const ALIASES: Record<string, Alias> = {
  NATS_URL: { path: ["nats", "servers"], list: true },
  NATS_USER: { path: ["nats", "user"], text: true, secret: true },
  NATS_PASSWORD: { path: ["nats", "password"], text: true, secret: true },
  NATS_TOKEN: { path: ["nats", "token"], text: true, secret: true },
  NATS_NKEY_SEED: { path: ["nats", "nkeySeed"], text: true, secret: true },
  NATS_CREDS: { path: ["nats", "credsFile"], text: true },
  NATS_NKEY: { path: ["nats", "nkeyFile"], text: true },
  LAG_DATA_DIR: { path: ["dataDir"], text: true },
  LAG_LOG_LEVEL: { path: ["log", "level"], text: true },
};

/**
 * Reads every override from the environment: aliases first, then `LAG__A__B_C` variables (fewer
 * segments first), so the most specific variable wins. An empty variable is ignored, as compose
 * files pass unset variables as empty strings.
 */
export function envOverrides(env: NodeJS.ProcessEnv, schema: z.core.$ZodType): EnvOverrides {
  const overrides: Override[] = [];
  const problems: string[] = [];
  for (const [name, alias] of Object.entries(ALIASES)) {
    if (!hasPath(schema, alias.path)) continue;
    const direct = env[name];
    if (direct !== undefined && direct !== "") overrides.push(aliasOverride(name, alias, direct));
    const fileVar = `${name}_FILE`;
    const file = alias.secret ? env[fileVar] : undefined;
    if (file !== undefined && file !== "") {
      const secret = readSecret(fileVar, file);
      if (secret.ok) overrides.push({ source: fileVar, segments: alias.path, value: secret.value });
      else problems.push(secret.problem);
    }
  }
  const names = Object.keys(env)
    .filter((n) => n.startsWith(PREFIX) && env[n] !== undefined && env[n] !== "")
    .sort((a, b) => a.split("__").length - b.split("__").length || a.localeCompare(b));
  for (const name of names) {
    const r = lagOverride(name, env[name]!, schema);
    if ("problem" in r) problems.push(r.problem);
    else if (!("skip" in r)) overrides.push(r);
  }
  return { overrides, problems };
}

function aliasOverride(name: string, alias: Alias, text: string): Override {
  if (alias.list)
    return {
      source: name,
      segments: alias.path,
      value: text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    };
  if (alias.text) return { source: name, segments: alias.path, value: text };
  return withRaw({ source: name, segments: alias.path, value: envValue(text) }, text);
}

function lagOverride(name: string, text: string, schema: z.core.$ZodType): Override | { problem: string } | { skip: true } {
  const parts = name.slice(PREFIX.length).split("__");
  if (parts.some((p) => p.length === 0)) {
    return { problem: `env ${name}: empty path segment; write LAG__SECTION__KEY with exactly two underscores between keys` };
  }
  const segments = parts.map(segmentKey);
  const last = parts[parts.length - 1]!;
  // `_FILE` means "read the value from this file", unless the schema has a key of that very name
  // (`nats.credsFile`, `nats.tls.caFile` take a path).
  if (last.endsWith("_FILE") && !hasPath(schema, segments)) {
    const target = [...segments.slice(0, -1), segmentKey(last.slice(0, -"_FILE".length))];
    if (isOpaqueAt(schema, target)) return { skip: true };
    const secret = readSecret(name, text);
    return secret.ok ? { source: name, segments: target, value: secret.value } : { problem: secret.problem };
  }
  return withRaw({ source: name, segments, value: envValue(text) }, text);
}

function withRaw(o: Override, text: string): Override {
  return typeof o.value === "string" ? o : { ...o, raw: text };
}

type Secret = { ok: true; value: string } | { ok: false; problem: string };

/** Docker and systemd secrets are files whose content ends with a newline: trimmed. */
function readSecret(name: string, file: string): Secret {
  try {
    return { ok: true, value: readFileSync(file, "utf8").trim() };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { ok: false, problem: `env ${name}: cannot read ${file} (${code}); create the file, make it readable, or unset ${name}` };
  }
}
