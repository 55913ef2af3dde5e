import type { HostMetrics } from "@lag/contracts";

/** What a reader measures of the host; the sampler adds identity, load averages and filesystems. */
export type HostReadings = Pick<HostMetrics, "uptimeSec" | "cpu" | "memory" | "temperatures" | "network">;

/** One source of host readings. CPU use and network rates are deltas, so a reader keeps state. */
export interface HostReader {
  /** "proc" (direct reads of /proc and /sys) or "systeminformation". */
  readonly name: string;
  read(): Promise<HostReadings>;
}

/** A percentage as the contracts carry it: clamped to 0–100, two decimals. */
export const pct = (n: number): number => Math.min(100, Math.max(0, Math.round(n * 100) / 100));
