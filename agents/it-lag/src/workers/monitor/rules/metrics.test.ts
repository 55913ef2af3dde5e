import { describe, expect, it } from "vitest";
import { checkResult, containerMetrics, hostMetrics } from "@lag/contracts";
import { reachableSample, samplesFromChecks, samplesFromContainers, samplesFromHost, samplesFromStores, type Sample } from "../samples.ts";
import { METRIC_NAMES, METRICS } from "./metrics.ts";

/** Everything samples.ts can produce: the contract examples with every optional field filled. */
function everySample(): Sample[] {
  const host = hostMetrics.example;
  const fs = host.filesystems[0]!;
  const c = containerMetrics.example.containers[0]!;
  return [
    ...samplesFromHost({
      ...host,
      filesystems: [
        { ...fs, inodesUsedPct: 10 },
        { ...fs, mount: "/", role: undefined },
      ],
      // What a host read over SSH adds.
      disks: [
        { device: "/dev/sda", passed: true, reallocatedSectors: 0, pendingSectors: 0, uncorrectableSectors: 0, temperatureC: 35 },
        { device: "/dev/nvme0", passed: true, mediaErrors: 0 },
      ],
      raid: [
        {
          array: "md0",
          state: "active",
          readOnly: false,
          devices: 2,
          activeDevices: 1,
          failed: [],
          spares: [],
          degraded: true,
          sync: { action: "recovery", pct: 5 },
        },
      ],
      dynDns: { client: "noip", file: "/l", ok: true, status: "good", at: host.time },
      jobs: [{ name: "rsync", file: "/l", ok: true, overdue: false }],
    }),
    reachableSample(true),
    ...samplesFromContainers({
      ...containerMetrics.example,
      containers: [{ ...c, health: "unhealthy", cpuPct: 1, memPct: 2, memBytes: 3 }],
    }),
    ...samplesFromChecks([
      { ...checkResult.example, kind: "tls", latencyMs: 5, tlsDaysLeft: 30 },
      {
        ...checkResult.example,
        check: "pihole",
        kind: "pihole",
        pihole: {
          api: "v6",
          blocking: true,
          queries: 100,
          blocked: 10,
          blockedPct: 10,
          domainsBlocked: 1000,
          gravityAgeHours: 20,
          topBlocked: [],
          upstreams: [],
        },
      },
    ]),
    ...samplesFromStores({ history: false }),
  ];
}

describe("the metric list rules are validated against", () => {
  it("names every metric samples.ts produces, and none it does not", () => {
    const produced = [...new Set(everySample().map((s) => s.metric))].sort();
    expect([...METRIC_NAMES].sort()).toEqual(produced);
  });

  it("lists every label key the samples carry", () => {
    for (const s of everySample()) {
      const known: readonly string[] = METRICS[s.metric as keyof typeof METRICS].labels;
      for (const key of Object.keys(s.labels)) expect(known, `${s.metric} label ${key}`).toContain(key);
    }
  });
});
