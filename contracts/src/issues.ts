import type { z } from "zod";

/** One line per problem, each naming the path of the bad field: `data.mounts[2].usedBytes: expected number`. */
export function describeIssues(error: z.ZodError, prefix = ""): string[] {
  return error.issues.map((issue) => `${pathOf(prefix, issue.path)}: ${issue.message}`);
}

export function pathOf(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out.length > 0 ? `.${String(p)}` : String(p);
  }
  return out.length > 0 ? out : "(root)";
}
