import { readdir, readFile } from "node:fs/promises";
import { sleep } from "@lag/async";

/** One process of this host as /proc tells it. */
export interface ProcessReading {
  pid: number;
  command: string;
  /** utime + stime, in clock ticks. */
  cpuTicks: number;
  rssBytes: number;
  /** Bytes it caused to be written to storage since it started (/proc/<pid>/io; root only for others'). */
  writeBytes?: number;
}

const PAGE = 4096;
const CLK_TCK = 100;

async function readOne(pid: number): Promise<ProcessReading | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // The command is in parentheses and may hold spaces and parentheses: the fields after the last ')' are fixed.
    const close = stat.lastIndexOf(")");
    const command = stat.slice(stat.indexOf("(") + 1, close);
    const f = stat.slice(close + 2).split(" ");
    const cpuTicks = Number(f[11]) + Number(f[12]);
    const rssBytes = Number(f[21]) * PAGE;
    const io = await readFile(`/proc/${pid}/io`, "utf8").catch(() => undefined);
    const wb = io ? /write_bytes: (\d+)/.exec(io) : null;
    return { pid, command, cpuTicks, rssBytes, ...(wb ? { writeBytes: Number(wb[1]) } : {}) };
  } catch {
    return undefined; // gone between listing and reading
  }
}

export async function readProcesses(): Promise<ProcessReading[]> {
  const pids = (await readdir("/proc")).filter((d) => /^\d+$/.test(d)).map(Number);
  const out = await Promise.all(pids.map(readOne));
  return out.filter((p): p is ProcessReading => p !== undefined);
}

/** The processes using the most of a resource now: CPU over `windowMs`, resident memory, bytes written. */
export async function topProcesses(
  resource: "cpu" | "memory" | "disk",
  n = 3,
  windowMs = 500,
): Promise<{ pid: number; command: string; value: number; unit: string }[]> {
  if (resource === "memory") {
    return (await readProcesses())
      .sort((a, b) => b.rssBytes - a.rssBytes)
      .slice(0, n)
      .map((p) => ({ pid: p.pid, command: p.command, value: Math.round(p.rssBytes / 1024 / 1024), unit: "MiB" }));
  }
  if (resource === "disk") {
    return (await readProcesses())
      .filter((p) => p.writeBytes !== undefined)
      .sort((a, b) => b.writeBytes! - a.writeBytes!)
      .slice(0, n)
      .map((p) => ({ pid: p.pid, command: p.command, value: Math.round(p.writeBytes! / 1024 / 1024), unit: "MiB written" }));
  }
  const before = new Map((await readProcesses()).map((p) => [p.pid, p]));
  await sleep(windowMs);
  const after = await readProcesses();
  return after
    .map((p) => ({ p, ticks: p.cpuTicks - (before.get(p.pid)?.cpuTicks ?? p.cpuTicks) }))
    .sort((a, b) => b.ticks - a.ticks)
    .slice(0, n)
    .map(({ p, ticks }) => ({
      pid: p.pid,
      command: p.command,
      value: Math.round(((ticks / CLK_TCK) * 1000 * 100) / windowMs),
      unit: "% of a core",
    }));
}
