import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * What a process needs of the machine beyond NATS and its data directory, for the generated
 * systemd units and Compose services: `docker` the engine's socket (and its group), `host` the
 * host's network and file systems as they are (a monitor measures them), `processes` the host's
 * processes (the incident worker names the top consumers of a resource), `files` every file of the
 * host whoever owns it, to read and to write back with owners and modes (the backup worker), `web`
 * its HTTP ports reachable by people and by a scraper (the status page).
 */
export const PROCESS_NEEDS = ["docker", "host", "processes", "files", "web"] as const;
export type ProcessNeed = (typeof PROCESS_NEEDS)[number];

export interface ProcessEntry {
  /** Process name (`it-monitor`), unique across agents, and the principal it connects as. */
  name: string;
  agent: string;
  /** Absolute path of the entry module. */
  entry: string;
  needs: ProcessNeed[];
}

/** `"src/main.ts"`, or `{ "entry": "src/main.ts", "needs": ["docker"] }`. */
type Declared = string | { entry: string; needs?: string[] };

/**
 * Every process of every agent, from the `lag.processes` field of agents/<agent>/package.json, of
 * packages/<package>/package.json (the status page) and of examples/<example>/package.json when asked. A new agent joins the system by declaring
 * its processes there; the launcher needs no change. A process is named after the principal it
 * connects as (its NATS user in production).
 */
export function discoverProcesses(root: string, opts: { examples?: boolean } = {}): ProcessEntry[] {
  const out: ProcessEntry[] = [];
  for (const folder of ["agents", "packages", ...(opts.examples ? ["examples"] : [])]) {
    const dir = join(root, folder);
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      continue;
    }
    for (const agent of entries) {
      let pkg: { lag?: { processes?: Record<string, Declared> } };
      try {
        pkg = JSON.parse(readFileSync(join(dir, agent, "package.json"), "utf8"));
      } catch {
        continue;
      }
      for (const [name, declared] of Object.entries(pkg.lag?.processes ?? {})) {
        const where = `${folder}/${agent}/package.json`;
        if (out.some((p) => p.name === name)) throw new Error(`process name ${name} is declared twice (${where})`);
        const { entry, needs = [] } = typeof declared === "string" ? { entry: declared } : declared;
        const unknown = needs.filter((n) => !(PROCESS_NEEDS as readonly string[]).includes(n));
        if (unknown.length > 0)
          throw new Error(`${where}: process ${name} needs ${unknown.join(", ")}; known needs are ${PROCESS_NEEDS.join(", ")}`);
        out.push({ name, agent, entry: join(dir, agent, entry), needs: needs as ProcessNeed[] });
      }
    }
  }
  return out;
}
