import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ProcessEntry } from "./processes.ts";

/** Variables through which a process could inherit someone else's NATS identity. */
const IDENTITY_VARS = ["NATS_USER", "NATS_PASSWORD", "NATS_PASSWORD_FILE", "NATS_TOKEN", "NATS_NKEY", "NATS_NKEY_SEED", "NATS_CREDS"];

/**
 * Each process's own NATS identity from a folder of secrets, as the production configuration
 * expects (one user per principal, the process name being the principal): `<name>.creds` (JWT +
 * seed), else `<name>.nk` (an nkey seed), else `<name>` (the password of user `<name>`). The
 * launcher's own identity variables are removed, so no process logs in as another. Throws naming
 * every process that has no file.
 */
export function credentialsEnv(procs: readonly ProcessEntry[], dir: string): Map<string, NodeJS.ProcessEnv> {
  const out = new Map<string, NodeJS.ProcessEnv>();
  const missing: string[] = [];
  for (const p of procs) {
    const base = Object.fromEntries(IDENTITY_VARS.map((v) => [v, undefined]));
    const creds = join(dir, `${p.name}.creds`);
    const nkey = join(dir, `${p.name}.nk`);
    const password = join(dir, p.name);
    if (existsSync(creds)) out.set(p.name, { ...base, NATS_CREDS: creds });
    else if (existsSync(nkey)) out.set(p.name, { ...base, NATS_NKEY: nkey });
    else if (existsSync(password)) out.set(p.name, { ...base, NATS_USER: p.name, NATS_PASSWORD_FILE: password });
    else missing.push(p.name);
  }
  if (missing.length > 0) {
    throw new Error(
      `no NATS credentials in ${dir} for ${missing.join(", ")}: give each process its own (${missing.map((m) => `${m}, ${m}.nk or ${m}.creds`).join("; ")}), or disable it (launcher.disabled)`,
    );
  }
  return out;
}

/** The environment a child gets: the launcher's, with its own variables set or (undefined) removed. */
export function withEnv(base: NodeJS.ProcessEnv, own: NodeJS.ProcessEnv | undefined): NodeJS.ProcessEnv {
  const env = { ...base };
  for (const [k, v] of Object.entries(own ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  return env;
}
