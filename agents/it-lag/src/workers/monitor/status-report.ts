import { severityRank, type Alert, type Health, type HostMetrics, type StatusReport } from "@lag/contracts";

/** Overall health: critical if any critical alert fires, warning if anything else fires. */
export function healthOf(firing: readonly Alert[]): Health {
  if (firing.some((a) => a.severity === "critical")) return "critical";
  return firing.length > 0 ? "warning" : "ok";
}

export function buildStatusReport(m: HostMetrics, firing: readonly Alert[]): StatusReport {
  const sorted = [...firing].sort((a, b) => severityRank[b.severity] - severityRank[a.severity]);
  const health = healthOf(sorted);
  const summary =
    sorted.length === 0
      ? "all is well"
      : `${sorted.length} alert${sorted.length > 1 ? "s" : ""} firing: ${sorted.map((a) => a.summary).join("; ")}`;
  return {
    host: m.host,
    time: m.time,
    health,
    summary,
    cpuPct: m.cpu.usagePct,
    memoryPct: m.memory.usedPct,
    load1: m.load.l1,
    filesystems: m.filesystems.map((f) => ({
      mount: f.mount,
      ...(f.role ? { role: f.role } : {}),
      usedPct: f.usedPct,
      freeBytes: f.freeBytes,
    })),
    firing: sorted.map((a) => ({ rule: a.rule, severity: a.severity, summary: a.summary, since: a.startsAt })),
  };
}
