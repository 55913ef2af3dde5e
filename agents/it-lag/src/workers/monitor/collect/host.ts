import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { loadavg } from "node:os";
import type { HostMetrics } from "@lag/contracts";
import { collectFilesystems } from "./filesystems.ts";
import { parseMdstat } from "./mdstat.ts";
import { procReader } from "./proc.ts";
import type { HostReader } from "./readings.ts";
import { systeminformationReader } from "./systeminformation.ts";

export interface HostSampler {
  sample(): Promise<HostMetrics>;
}

/**
 * Which reader measures the host: /proc where there is one (Linux), systeminformation elsewhere.
 * `LAG_MONITOR_HOST_READER=systeminformation` forces the latter on Linux: a way back should the
 * direct reader misread some kernel, and how bench/monitor measures both in one run.
 */
export function defaultHostReader(env: NodeJS.ProcessEnv = process.env): HostReader {
  const forced = env.LAG_MONITOR_HOST_READER;
  if (forced !== undefined && forced !== "" && forced !== "proc" && forced !== "systeminformation") {
    throw new Error(`LAG_MONITOR_HOST_READER is ${JSON.stringify(forced)}: set it to proc or systeminformation, or unset it`);
  }
  if (forced === "systeminformation") return systeminformationReader();
  if (forced === "proc" || (process.platform === "linux" && existsSync("/proc/stat"))) return procReader();
  return systeminformationReader();
}

/**
 * Samples the local host. CPU use and network rates are deltas since the previous call; the first
 * call measures CPU over at least half a second (both readers wait for it if they must), and network
 * rates since the sampler was made (proc) or reports them as zero (systeminformation).
 */
export function hostSampler(opts: {
  host: string;
  intervalMs: number;
  mounts: Record<string, string>;
  /** LAG's data directory: the mount holding it gets the role `lag-data` unless it has one. */
  dataDir?: string;
  reader?: HostReader;
  /** Linux software RAID: read where the kernel has the md driver (the file exists); none elsewhere. */
  mdstatFile?: string;
}): HostSampler {
  const reader = opts.reader ?? defaultHostReader();
  const mdstat = opts.mdstatFile ?? "/proc/mdstat";
  return {
    async sample() {
      const [readings, fs, raid] = await Promise.all([
        reader.read(),
        collectFilesystems(opts.mounts, "/proc/mounts", opts.dataDir),
        readFile(mdstat, "latin1").then(parseMdstat, () => undefined),
      ]);
      const [l1 = 0, l5 = 0, l15 = 0] = loadavg();
      return {
        host: opts.host,
        time: new Date().toISOString(),
        intervalMs: opts.intervalMs,
        uptimeSec: readings.uptimeSec,
        cpu: readings.cpu,
        load: { l1, l5, l15 },
        memory: readings.memory,
        temperatures: readings.temperatures,
        network: readings.network,
        filesystems: fs,
        ...(raid && raid.length > 0 ? { raid } : {}),
      };
    },
  };
}
