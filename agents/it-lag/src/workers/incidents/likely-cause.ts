import type { Alert, ContainersSnapshot, LikelyCause } from "@lag/contracts";
import { topProcesses } from "./processes.ts";

type Resource = LikelyCause["resource"];

/** The resource a resource alert is about, from the metric it watches; undefined for other alerts. */
export function resourceOf(a: Alert): Resource | undefined {
  const m = a.source;
  if (m.startsWith("cpu.") || m.startsWith("load.")) return "cpu";
  if (m.startsWith("mem.") || m.startsWith("swap.")) return "memory";
  if (m.startsWith("fs.")) return "disk";
  if (m.startsWith("net.")) return "network";
  return undefined;
}

/**
 * What is using the resource a resource alert is about, at the moment its incident opened: the top
 * 3 containers of that host (from the monitor's latest snapshot) and, on this worker's own host, the
 * top 3 processes from /proc. What cannot be measured is said in `note`.
 */
export async function likelyCause(
  a: Alert,
  containers: ContainersSnapshot | undefined,
  ownHost: string,
  processes: typeof topProcesses = topProcesses,
): Promise<LikelyCause | undefined> {
  const resource = resourceOf(a);
  if (!resource) return undefined;
  const notes: string[] = [];
  let top: LikelyCause["containers"] = [];
  if (resource === "cpu" || resource === "memory") {
    if (!containers?.docker.available) notes.push(`no container figures from ${a.host} (Docker not watched or not answering)`);
    else {
      const value = (c: ContainersSnapshot["containers"][number]) => (resource === "cpu" ? c.cpuPct : c.memBytes);
      top = containers.containers
        .filter((c) => value(c) !== undefined)
        .sort((x, y) => value(y)! - value(x)!)
        .slice(0, 3)
        .map((c) =>
          resource === "cpu"
            ? { name: c.name, value: c.cpuPct!, unit: "% of a core" }
            : { name: c.name, value: Math.round(c.memBytes! / 1024 / 1024), unit: "MiB" },
        );
    }
  } else {
    notes.push(`Docker reports no ${resource} use per container`);
  }
  let procs: LikelyCause["processes"] = [];
  if (a.host !== ownHost) notes.push(`processes of ${a.host} are not readable from ${ownHost}`);
  else if (resource === "network") notes.push("Linux keeps no network use per process");
  else procs = await processes(resource);
  return { resource, containers: top, processes: procs, ...(notes.length > 0 ? { note: notes.join("; ") } : {}) };
}
