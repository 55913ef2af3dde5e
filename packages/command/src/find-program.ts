import { accessSync, constants } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (this file is packages/command/src/find-program.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

/**
 * A program LAG runs, found as the operator expects: the environment variable naming it
 * (`LAG_RESTIC`), then `.tools/bin` (where `infra/setup/setup.sh` puts versions newer than Debian
 * 12's), then PATH. Throws with what to do when none is executable.
 */
export function findProgram(name: string, envVar: string): string {
  const candidates = [
    process.env[envVar],
    join(repoRoot, ".tools/bin", name),
    ...(process.env.PATH ?? "").split(":").map((p) => join(p, name)),
  ].filter((p): p is string => !!p);
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // try the next one
    }
  }
  throw new Error(`${name} not found: run \`infra/setup/setup.sh\` (or \`npm start\`), or set ${envVar}`);
}
