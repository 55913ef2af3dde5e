import type { CheckResult, Container, ContainersSnapshot, HostMetrics } from "@lag/contracts";

/**
 * The monitor's common currency: every measurement as a named, labelled number. Alert rules
 * evaluate samples; history stores them. Metric names are documented in docs/monitor.md.
 */
export interface Sample {
  metric: string;
  labels: Record<string, string>;
  value: number;
}

/** `fs.used_pct{mount=/mnt/storage,role=storage}`: labels sorted, so one series has one key. */
export function seriesKey(metric: string, labels: Record<string, string>): string {
  const keys = Object.keys(labels).sort();
  if (keys.length === 0) return metric;
  return `${metric}{${keys.map((k) => `${k}=${labels[k]}`).join(",")}}`;
}

const s = (metric: string, value: number, labels: Record<string, string> = {}): Sample => ({ metric, labels, value });

export function samplesFromHost(m: HostMetrics): Sample[] {
  const out: Sample[] = [
    s("cpu.usage_pct", m.cpu.usagePct),
    s("load.1", m.load.l1),
    s("load.5", m.load.l5),
    s("load.15", m.load.l15),
    s("mem.used_pct", m.memory.usedPct),
    s("mem.available_bytes", m.memory.availableBytes),
  ];
  m.cpu.cores.forEach((pct, i) => out.push(s("cpu.core_pct", pct, { core: String(i) })));
  if (m.memory.swapTotalBytes > 0) out.push(s("swap.used_pct", (m.memory.swapUsedBytes / m.memory.swapTotalBytes) * 100));
  for (const t of m.temperatures) out.push(s("temp.celsius", t.celsius, { sensor: t.sensor }));
  for (const n of m.network) {
    out.push(s("net.rx_bytes_per_sec", n.rxBytesPerSec, { iface: n.iface }));
    out.push(s("net.tx_bytes_per_sec", n.txBytesPerSec, { iface: n.iface }));
  }
  for (const f of m.filesystems) {
    const labels: Record<string, string> = f.role ? { mount: f.mount, role: f.role } : { mount: f.mount };
    out.push(s("fs.used_pct", f.usedPct, labels));
    out.push(s("fs.free_bytes", f.freeBytes, labels));
    if (f.inodesUsedPct !== undefined) out.push(s("fs.inodes_used_pct", f.inodesUsedPct, labels));
  }
  return [...out, ...samplesFromNas(m)];
}

/** What a target read over SSH adds (samplesFromHost includes them): disks, RAID, dynamic DNS, jobs. */
function samplesFromNas(m: HostMetrics): Sample[] {
  const out: Sample[] = [];
  const now = Date.parse(m.time);
  for (const d of m.disks ?? []) {
    const labels = { device: d.device };
    out.push(s("disk.readable", d.error ? 0 : 1, labels));
    if (d.passed !== undefined) out.push(s("disk.smart_ok", d.passed ? 1 : 0, labels));
    if (d.reallocatedSectors !== undefined) out.push(s("disk.reallocated_sectors", d.reallocatedSectors, labels));
    if (d.pendingSectors !== undefined) out.push(s("disk.pending_sectors", d.pendingSectors, labels));
    if (d.uncorrectableSectors !== undefined) out.push(s("disk.uncorrectable_sectors", d.uncorrectableSectors, labels));
    if (d.mediaErrors !== undefined) out.push(s("disk.media_errors", d.mediaErrors, labels));
    if (d.temperatureC !== undefined) out.push(s("disk.temp_celsius", d.temperatureC, labels));
  }
  for (const a of m.raid ?? []) {
    const labels = { array: a.array };
    out.push(s("raid.degraded", a.degraded ? 1 : 0, labels));
    out.push(s("raid.missing_devices", Math.max(0, a.devices - a.activeDevices), labels));
    if (a.sync) out.push(s("raid.sync_pct", a.sync.pct, labels));
  }
  if (m.dynDns) {
    const labels = { client: m.dynDns.client };
    out.push(s("dyndns.ok", m.dynDns.ok ? 1 : 0, labels));
    if (m.dynDns.at)
      out.push(s("dyndns.age_hours", Math.max(0, Math.round(((now - Date.parse(m.dynDns.at)) / 3_600_000) * 100) / 100), labels));
  }
  for (const j of m.jobs ?? []) {
    const labels = { job: j.name };
    if (j.ok !== undefined) out.push(s("job.ok", j.ok ? 1 : 0, labels));
    out.push(s("job.overdue", j.overdue ? 1 : 0, labels));
  }
  return out;
}

/** 1 when a host read over SSH answered this round, 0 when it could not be reached (samples.ts' only sample without a reading). */
export function reachableSample(ok: boolean): Sample {
  return s("host.reachable", ok ? 1 : 0);
}

/**
 * How long Docker may take to bring a crashed container back by its restart policy: its back-off
 * doubles from 100 ms up to one minute between attempts.
 */
export const RESTART_GRACE_MS = 90_000;

/**
 * Whether a container should be running, and is: 1 up, 0 down, undefined when it is not expected
 * to run. Docker restarting it by its policy counts as up (a loop is the restart-loop rule's
 * business, so the operator gets one alert, not a down alert flapping between restarts); a
 * one-shot container that finished cleanly without a restart policy is done, not down. The label
 * `lag.expect=running` makes any container one that must run; `lag.expect=finished` one that need not.
 */
export function containerUp(c: Container, now: number): 0 | 1 | undefined {
  const expect = c.labels?.["lag.expect"];
  if (c.state === "running") return 1;
  if (expect === "finished") return undefined;
  if (expect !== "running") {
    const policy = c.restartPolicy ?? "no";
    if (c.state === "exited" && c.exitCode === 0 && policy === "no") return undefined;
    if (c.state === "restarting") return 1;
    const restarts = policy === "always" || policy === "unless-stopped" || (policy === "on-failure" && c.exitCode !== 0);
    const ended = c.finishedAt ? Date.parse(c.finishedAt) : undefined;
    if (c.state === "exited" && restarts && ended !== undefined && now - ended < RESTART_GRACE_MS) return 1;
  }
  return 0;
}

export function samplesFromContainers(snap: ContainersSnapshot): Sample[] {
  const out: Sample[] = [s("docker.up", snap.docker.available ? 1 : 0)];
  const now = Date.parse(snap.time);
  for (const c of snap.containers) {
    const labels = { container: c.name };
    const up = containerUp(c, now);
    if (up !== undefined) out.push(s("container.up", up, labels));
    out.push(s("container.restarts", c.restartCount, labels));
    // Only containers that declare a health check have a health to judge.
    if (c.health === "healthy" || c.health === "unhealthy") out.push(s("container.healthy", c.health === "healthy" ? 1 : 0, labels));
    if (c.cpuPct !== undefined) out.push(s("container.cpu_pct", c.cpuPct, labels));
    if (c.memPct !== undefined) out.push(s("container.mem_pct", c.memPct, labels));
    if (c.memBytes !== undefined) out.push(s("container.mem_bytes", c.memBytes, labels));
  }
  return out;
}

/**
 * 1 when every one of the monitor's own stores (history, alert state) was written this round, 0
 * when any failed: one series, so a full disk is one alert; the log says which store and why.
 */
export function samplesFromStores(ok: Readonly<Record<string, boolean>>): Sample[] {
  return [s("lag.store_ok", Object.values(ok).every(Boolean) ? 1 : 0)];
}

export function samplesFromChecks(results: readonly CheckResult[]): Sample[] {
  const out: Sample[] = [];
  for (const r of results) {
    const labels = { check: r.check, kind: r.kind };
    out.push(s("check.up", r.ok ? 1 : 0, labels));
    if (r.latencyMs !== undefined) out.push(s("check.latency_ms", r.latencyMs, labels));
    if (r.tlsDaysLeft !== undefined) out.push(s("check.tls_days_left", r.tlsDaysLeft, labels));
    if (r.pihole) {
      const p = { check: r.check };
      out.push(s("pihole.blocking", r.pihole.blocking ? 1 : 0, p));
      out.push(s("pihole.blocked_pct", r.pihole.blockedPct, p));
      out.push(s("pihole.queries", r.pihole.queries, p));
      if (r.pihole.gravityAgeHours !== undefined) out.push(s("pihole.gravity_age_hours", r.pihole.gravityAgeHours, p));
    }
  }
  return out;
}
