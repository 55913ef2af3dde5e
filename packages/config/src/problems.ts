import type { z } from "zod";
import { pathOf } from "@lag/contracts";
import { closest } from "./did-you-mean.ts";
import { keysAt } from "./schema-walk.ts";
import { startsWith, type Segment } from "./tree.ts";
import type { YamlFile } from "./yaml-file.ts";

/** Where a value came from: the variable that set it (env wins over the file). */
export interface EnvSource {
  source: string;
  path: Segment[];
}

interface Located {
  line: string;
  /** Line in the file, to list problems in the order the operator reads them; env and unknown last. */
  order: number;
}

/**
 * One line per bad key, `lag.yaml:14 it.monitor.interval: expected a duration like …`. Unknown keys
 * get a line each, at the key itself, with a suggestion when a declared key is close.
 */
export function describeProblems(
  error: z.ZodError,
  schema: z.core.$ZodType,
  yaml: YamlFile | undefined,
  env: readonly EnvSource[],
): string[] {
  const out: Located[] = [];
  const add = (path: readonly PropertyKey[], message: string) => out.push(locate(path, message, yaml, env));
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      // zod's own wording means the schema gave none: replace it with one line per key.
      if (/^Unrecognized keys?:/.test(issue.message)) {
        for (const key of issue.keys) add([...issue.path, key], unknownKeyMessage(key, keysAt(schema, issue.path)));
      } else {
        add(issue.keys.length > 0 ? [...issue.path, issue.keys[0]!] : issue.path, issue.message);
      }
      continue;
    }
    add(issue.path, issue.message);
  }
  return out
    .map((l, i) => ({ ...l, i }))
    .sort((a, b) => a.order - b.order || a.i - b.i)
    .map((l) => l.line);
}

function unknownKeyMessage(key: string, known: string[]): string {
  const near = closest(key, known);
  if (near) return `unknown key; did you mean ${near}?`;
  return known.length > 0 ? `unknown key; expected one of ${known.join(", ")}` : "unknown key";
}

function locate(path: readonly PropertyKey[], message: string, yaml: YamlFile | undefined, env: readonly EnvSource[]): Located {
  const shown = pathOf("", path);
  // The last override at or above this path is the one whose value zod saw.
  const fromEnv = [...env].reverse().find((e) => startsWith(path, e.path));
  if (fromEnv) return { line: `env ${fromEnv.source} ${shown}: ${message}`, order: Number.MAX_SAFE_INTEGER - 1 };
  const where = yaml?.where(path);
  if (where) return { line: `${where} ${shown}: ${message}`, order: Number(where.slice(where.lastIndexOf(":") + 1)) };
  return { line: `${shown}: ${message}`, order: Number.MAX_SAFE_INTEGER };
}
