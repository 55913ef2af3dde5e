import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface ProcessEntry {
  /** Process name (`it-monitor`), unique across agents. */
  name: string;
  agent: string;
  /** Absolute path of the entry module. */
  entry: string;
}

/**
 * Every process of every agent, from the `lag.processes` field of agents/<agent>/package.json
 * (and of examples/<example>/package.json when asked). A new agent joins the system by declaring
 * its processes there; the launcher needs no change. A process is named after the principal it
 * connects as (its NATS user in production).
 */
export function discoverProcesses(root: string, opts: { examples?: boolean } = {}): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const folder of ["agents", ...(opts.examples ? ["examples"] : [])]) {
    const dir = join(root, folder);
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const agent of entries) {
      let pkg: { lag?: { processes?: Record<string, string> } };
      try {
        pkg = JSON.parse(readFileSync(join(dir, agent, "package.json"), "utf8"));
      } catch {
        continue;
      }
      for (const [name, entry] of Object.entries(pkg.lag?.processes ?? {})) {
        if (out.some((p) => p.name === name)) throw new Error(`process name ${name} is declared twice (${folder}/${agent})`);
        out.push({ name, agent, entry: join(dir, agent, entry) });
      }
    }
  }
  return out;
}
