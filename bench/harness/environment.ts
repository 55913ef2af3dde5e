import { execFileSync } from "node:child_process";
import { cpus, loadavg, totalmem } from "node:os";

export interface Environment {
  date: string;
  node: string;
  platform: string;
  cpu: string;
  memory: string;
  /**
   * 1-minute load average before and after the run. Above the core count, other processes competed
   * for the CPU: absolute figures suffer, ratios less so (the variants are interleaved).
   */
  load: string;
  /** The commit measured, and whether the code under packages/ or contracts/ differed from it. */
  commit: string;
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return undefined;
  }
}

export function describeEnvironment(): Environment {
  const c = cpus();
  const head = git(["rev-parse", "--short", "HEAD"]);
  const dirty = git(["status", "--porcelain", "--", "packages", "contracts"]);
  return {
    date: new Date().toISOString(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    cpu: `${c[0]?.model.trim() ?? "unknown"} × ${c.length}`,
    memory: `${Math.round(totalmem() / 1024 ** 3)} GiB`,
    load: `${loadAverage()} before`,
    commit: head ? `${head}${dirty ? " + uncommitted changes" : ""}` : "unknown",
  };
}

export function loadAverage(): string {
  return loadavg()[0]!.toFixed(2);
}
