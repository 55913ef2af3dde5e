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
 * Every process of every agent, from the `lag.processes` field of agents/<agent>/package.json.
 * A new agent joins the system by declaring its processes there; the launcher needs no change.
 */
export function discoverProcesses(root: string): ProcessEntry[] {
  const agentsDir = join(root, "agents");
  const out: ProcessEntry[] = [];
  for (const agent of readdirSync(agentsDir).sort()) {
    let pkg: { lag?: { processes?: Record<string, string> } };
    try {
      pkg = JSON.parse(readFileSync(join(agentsDir, agent, "package.json"), "utf8"));
    } catch {
      continue;
    }
    for (const [name, entry] of Object.entries(pkg.lag?.processes ?? {})) {
      if (out.some((p) => p.name === name)) throw new Error(`process name ${name} is declared twice (agents/${agent})`);
      out.push({ name, agent, entry: join(agentsDir, agent, entry) });
    }
  }
  return out;
}
