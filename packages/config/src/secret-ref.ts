import { readFileSync } from "node:fs";
import { z } from "zod";

/**
 * Where a secret is, never the secret itself: a file (a Docker or systemd secret, mode 0600) or an
 * environment variable. The configuration file names it; the process reads it when it needs it.
 */
export const SecretRef = z.union(
  [
    z.strictObject({ file: z.string().startsWith("/", "an absolute path") }),
    z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "an environment variable name") }),
  ],
  { error: "a secret by file ({ file: /etc/lag/secrets/x }) or variable ({ env: LAG_X })" },
);
export type SecretRef = z.infer<typeof SecretRef>;

/** Reads a secret (a file's content without its last newline); throws a sentence naming the file or variable, never the value. */
export function readSecret(ref: SecretRef, env: NodeJS.ProcessEnv = process.env): string {
  if ("env" in ref) {
    const v = env[ref.env];
    if (v === undefined || v === "") throw new Error(`the secret variable ${ref.env} is not set`);
    return v;
  }
  try {
    return readFileSync(ref.file, "utf8").replace(/\r?\n$/, "");
  } catch (err) {
    throw new Error(`cannot read the secret file ${ref.file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}
