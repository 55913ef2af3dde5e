import { describe, expect, it } from "vitest";
import { cpuPercent, cpuReading, memoryUsage, type StatsPayload } from "./usage.ts";

// Shapes as Engine 20.10 returns them for one-shot stats on cgroup v1 (captured on the test machine),
// and as newer engines return them on cgroup v2 (no `total_*` keys, no per-CPU list).
const v1 = (total: number, system: number): StatsPayload => ({
  cpu_stats: { cpu_usage: { total_usage: total, percpu_usage: [total / 2, total / 2] }, system_cpu_usage: system, online_cpus: 2 },
  memory_stats: {
    usage: 50_000_000,
    limit: 25_274_793_984,
    stats: { inactive_file: 1_000_000, total_inactive_file: 8_000_000, cache: 9_000_000 },
  },
});
const v2: StatsPayload = {
  cpu_stats: { cpu_usage: { total_usage: 5_000_000_000 }, system_cpu_usage: 90_000_000_000, online_cpus: 4 },
  memory_stats: { usage: 300_000_000, limit: 1_073_741_824, stats: { inactive_file: 100_000_000, file: 150_000_000 } },
};

describe("CPU % between two one-shot samples", () => {
  it("is the container's share of host CPU time times the cores, as docker stats shows it", () => {
    // The container used 1 s of CPU while the 2-core host spent 2 s: one full core.
    expect(cpuPercent(cpuReading(v1(1e9, 100e9)), cpuReading(v1(2e9, 102e9))!)).toBe(100);
    // Two busy cores out of two: 200, not 100.
    expect(cpuPercent(cpuReading(v1(1e9, 100e9)), cpuReading(v1(5e9, 104e9))!)).toBe(200);
    expect(cpuPercent(cpuReading(v1(1e9, 100e9)), cpuReading(v1(1.25e9, 110e9))!)).toBe(5);
  });

  it("has no value on first sight, after a restart reset the counters, or with no host time elapsed", () => {
    expect(cpuPercent(undefined, cpuReading(v1(1e9, 100e9))!)).toBeUndefined();
    expect(cpuPercent(cpuReading(v1(9e9, 100e9)), cpuReading(v1(1e8, 102e9))!)).toBeUndefined();
    expect(cpuPercent(cpuReading(v1(1e9, 100e9)), cpuReading(v1(1e9, 100e9))!)).toBeUndefined();
  });

  it("counts cores from the per-CPU list when online_cpus is missing (older engines)", () => {
    const s: StatsPayload = { cpu_stats: { cpu_usage: { total_usage: 10, percpu_usage: [1, 2, 3, 4] }, system_cpu_usage: 20 } };
    expect(cpuReading(s)!.onlineCpus).toBe(4);
  });

  it("reads nothing from the empty payload of a container that just stopped", () => {
    expect(cpuReading({})).toBeUndefined();
    expect(memoryUsage({})).toBeUndefined();
    expect(cpuReading({ cpu_stats: { cpu_usage: { total_usage: 0 }, system_cpu_usage: 0 } })).toBeUndefined();
  });
});

describe("memory without page cache", () => {
  it("subtracts total_inactive_file on cgroup v1", () => {
    expect(memoryUsage(v1(1, 1))).toEqual({ bytes: 42_000_000, limitBytes: 25_274_793_984, pct: 0.17 });
  });

  it("subtracts inactive_file on cgroup v2", () => {
    expect(memoryUsage(v2)).toEqual({ bytes: 200_000_000, limitBytes: 1_073_741_824, pct: 18.63 });
  });

  it("keeps usage when the inactive figure is not below it, and leaves % out without a limit", () => {
    expect(memoryUsage({ memory_stats: { usage: 10, stats: { inactive_file: 20 } } })).toEqual({ bytes: 10 });
  });

  it("never reports above 100 %", () => {
    expect(memoryUsage({ memory_stats: { usage: 2_000, limit: 1_000, stats: {} } })!.pct).toBe(100);
  });
});
