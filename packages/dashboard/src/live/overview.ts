import type {
  Alert,
  ApprovalRecord,
  CheckResult,
  ContainersSnapshot,
  HostMetrics,
  IncidentSummary,
  PlanStatus,
  Subscription,
} from "@lag/contracts";

/** One host as the overview shows it. */
export interface HostView {
  host: string;
  time: string;
  uptimeSec: number;
  cpuPct: number;
  memPct: number;
  memUsedBytes: number;
  memTotalBytes: number;
  load: [number, number, number];
  /** The hottest sensor, when the host has any. */
  maxCelsius?: number;
  rxBytesPerSec: number;
  txBytesPerSec: number;
  filesystems: {
    mount: string;
    role?: string;
    usedPct: number;
    freeBytes: number;
    sizeBytes: number;
    /** Its use over the last days (from the monitor's history): the change in points, and when it is full at that pace. */
    trend?: { deltaPct: number; days: number; fullInDays?: number };
  }[];
  /** What a host read over SSH (a NAS) adds: disk health, RAID, the dynamic-DNS client, jobs. */
  disks?: HostMetrics["disks"];
  raid?: HostMetrics["raid"];
  dynDns?: HostMetrics["dynDns"];
  jobs?: HostMetrics["jobs"];
}

export interface ContainerView {
  host: string;
  name: string;
  image: string;
  state: string;
  health: string;
  restarts: number;
  cpuPct?: number;
  memPct?: number;
}

/** Everything the overview draws, as the page's script receives it (the first time in the page, then over server-sent events). */
export interface Overview {
  at: string;
  hosts: HostView[];
  containers: ContainerView[];
  /** Whether each host's Docker engine answers. */
  docker: { host: string; available: boolean; error?: string }[];
  checks: Pick<CheckResult, "host" | "check" | "kind" | "target" | "ok" | "time" | "latencyMs" | "detail">[];
  alerts: Alert[];
  incidents: IncidentSummary[];
  approvals: ApprovalRecord[];
  /** undefined: the worker did not answer (not configured here, or down). */
  backups?: PlanStatus[];
  subscriptions?: Subscription[];
  /** What could not be asked, and why. */
  missing: string[];
}

export function hostView(m: HostMetrics): HostView {
  const temps = m.temperatures.map((t) => t.celsius);
  return {
    host: m.host,
    time: m.time,
    uptimeSec: m.uptimeSec,
    cpuPct: m.cpu.usagePct,
    memPct: m.memory.usedPct,
    memUsedBytes: m.memory.usedBytes,
    memTotalBytes: m.memory.totalBytes,
    load: [m.load.l1, m.load.l5, m.load.l15],
    ...(temps.length > 0 ? { maxCelsius: Math.max(...temps) } : {}),
    rxBytesPerSec: m.network.reduce((a, n) => a + n.rxBytesPerSec, 0),
    txBytesPerSec: m.network.reduce((a, n) => a + n.txBytesPerSec, 0),
    filesystems: m.filesystems.map((f) => ({
      mount: f.mount,
      ...(f.role ? { role: f.role } : {}),
      usedPct: f.usedPct,
      freeBytes: f.freeBytes,
      sizeBytes: f.sizeBytes,
    })),
    ...(m.disks ? { disks: m.disks } : {}),
    ...(m.raid ? { raid: m.raid } : {}),
    ...(m.dynDns ? { dynDns: m.dynDns } : {}),
    ...(m.jobs ? { jobs: m.jobs } : {}),
  };
}

export function containerViews(s: ContainersSnapshot): ContainerView[] {
  return s.containers.map((c) => ({
    host: s.host,
    name: c.name,
    image: c.image,
    state: c.state,
    health: c.health,
    restarts: c.restartCount,
    ...(c.cpuPct !== undefined ? { cpuPct: c.cpuPct } : {}),
    ...(c.memPct !== undefined ? { memPct: c.memPct } : {}),
  }));
}
