/** What Linux says a process costs: CPU ticks and memory from /proc/<pid>/stat and /proc/<pid>/status. */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's CPU times (100 on every common Linux build). */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcUsage {
  /** CPU seconds of the process itself (utime + stime). */
  cpuSec: number;
  /** CPU seconds of its children that exited and were waited for (cutime + cstime): spawned shells. */
  reapedChildrenCpuSec: number;
  /** VmRSS, VmHWM (peak RSS since start), RssAnon and RssFile, in bytes. */
  rss: number;
  hwm: number;
  rssAnon: number;
  rssFile: number;
  threads: number;
}

/** The fields after the command name, which may itself hold spaces and parentheses. */
function statFields(pid: number): string[] {
  const s = readFileSync(`/proc/${pid}/stat`, "latin1");
  return s.slice(s.lastIndexOf(")") + 2).split(" ");
}

export function procUsage(pid: number): ProcUsage {
  // After the name: state(0) ppid(1) … utime(11) stime(12) cutime(13) cstime(14) … num_threads(17).
  const f = statFields(pid).map(Number);
  const status = readFileSync(`/proc/${pid}/status`, "latin1");
  const kB = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024;
  return {
    cpuSec: (f[11]! + f[12]!) / CLK_TCK,
    reapedChildrenCpuSec: (f[13]! + f[14]!) / CLK_TCK,
    rss: kB("VmRSS"),
    hwm: kB("VmHWM"),
    rssAnon: kB("RssAnon"),
    rssFile: kB("RssFile"),
    threads: f[17]!,
  };
}

/** Every live descendant of a process (tsx's esbuild service, a ping in flight…). */
export function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      parent.set(Number(d), Number(statFields(Number(d))[1]));
    } catch {
      // exited while we looked
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, pp] of parent) {
      if (pp === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

export function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "latin1").split("\0").filter(Boolean).join(" ");
  } catch {
    return "?";
  }
}
