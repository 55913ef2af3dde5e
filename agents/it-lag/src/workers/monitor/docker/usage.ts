import type { ContainerStats } from "../../../docker/types.ts";

/**
 * CPU and memory from the engine's stats payload, computed the way `docker stats` computes them
 * (docker/cli `calculateCPUPercentUnix` and `calculateMemUsageUnixNoCache`). Pure functions.
 */

/** A stats payload; fields are optional because a container that just stopped returns `{}`. */
export type StatsPayload = ContainerStats;

/** Cumulative CPU counters of one container at one instant (nanoseconds). */
export interface CpuReading {
  /** CPU time the container used since it started. */
  total: number;
  /** CPU time the whole host used since boot, all cores summed. */
  system: number;
  onlineCpus: number;
}

export function cpuReading(s: StatsPayload): CpuReading | undefined {
  const total = s.cpu_stats?.cpu_usage?.total_usage;
  const system = s.cpu_stats?.system_cpu_usage;
  if (!total || !system) return undefined;
  const onlineCpus = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 1;
  return { total, system, onlineCpus };
}

/**
 * % of one core, summed over cores (200 = two cores busy), between two readings. One-shot stats carry
 * no previous sample, so the caller keeps the last reading per container. Undefined when there is no
 * usable pair: first sight of the container, or its counters went back (it restarted in between).
 */
export function cpuPercent(prev: CpuReading | undefined, cur: CpuReading): number | undefined {
  if (!prev) return undefined;
  const cpuDelta = cur.total - prev.total;
  const systemDelta = cur.system - prev.system;
  if (cpuDelta < 0 || systemDelta <= 0) return undefined;
  return round2((cpuDelta / systemDelta) * cur.onlineCpus * 100);
}

export interface MemoryUsage {
  bytes: number;
  /** Absent when the engine reports no limit (some cgroup v2 hosts without memory accounting). */
  limitBytes?: number;
  pct?: number;
}

/**
 * Memory in use without the reclaimable page cache. cgroup v1 reports `total_inactive_file`, v2
 * `inactive_file` (v1 has a non-total `inactive_file` too, hence the order). The limit is the
 * container's limit, or the host's memory when it has none.
 */
export function memoryUsage(s: StatsPayload): MemoryUsage | undefined {
  const m = s.memory_stats;
  if (!m || typeof m.usage !== "number") return undefined;
  const st = m.stats ?? {};
  const v1 = st.total_inactive_file;
  const v2 = st.inactive_file;
  let bytes = m.usage;
  if (typeof v1 === "number" && v1 < m.usage) bytes = m.usage - v1;
  else if (typeof v1 !== "number" && typeof v2 === "number" && v2 < m.usage) bytes = m.usage - v2;
  const limitBytes = m.limit;
  if (!limitBytes || limitBytes <= 0) return { bytes };
  return { bytes, limitBytes, pct: Math.min(100, round2((bytes / limitBytes) * 100)) };
}

const round2 = (n: number) => Math.round(n * 100) / 100;
