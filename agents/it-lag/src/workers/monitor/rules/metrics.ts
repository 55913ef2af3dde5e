/**
 * The metrics an alert rule may watch: every name samples.ts produces, with the labels its series
 * carry and the sentence an alert says by default. Rules are validated against this list so a typo
 * in `metric:` fails at start-up instead of silently never firing. metrics.test.ts fails when
 * samples.ts emits a metric missing here (or this list names one it no longer emits).
 */
export interface MetricInfo {
  /** Label keys of the series; a `match` or `{placeholder}` naming another key is a typo. */
  labels: readonly string[];
  /** Default alert summary; `{value}`, `{threshold}` and the labels are filled in. */
  summary: string;
  /** Default summary when the rule applies `increase` (counters read better as "n times in 10m"). */
  increaseSummary?: string;
}

const FS = ["mount", "role"] as const;
const CONTAINER = ["container"] as const;
const CHECK = ["check", "kind"] as const;

export const METRICS = {
  "cpu.usage_pct": { labels: [], summary: "CPU is {value}% busy (threshold {threshold}%)" },
  "cpu.core_pct": { labels: ["core"], summary: "CPU core {core} is {value}% busy (threshold {threshold}%)" },
  "load.1": { labels: [], summary: "1-minute load average is {value} (threshold {threshold})" },
  "load.5": { labels: [], summary: "5-minute load average is {value} (threshold {threshold})" },
  "load.15": { labels: [], summary: "15-minute load average is {value} (threshold {threshold})" },
  "mem.used_pct": { labels: [], summary: "memory is {value}% used (threshold {threshold}%)" },
  "mem.available_bytes": { labels: [], summary: "{value} bytes of memory available (threshold {threshold})" },
  "swap.used_pct": { labels: [], summary: "swap is {value}% used (threshold {threshold}%)" },
  "temp.celsius": { labels: ["sensor"], summary: "sensor {sensor} is at {value} °C (threshold {threshold} °C)" },
  "net.rx_bytes_per_sec": { labels: ["iface"], summary: "{iface} receives {value} B/s (threshold {threshold} B/s)" },
  "net.tx_bytes_per_sec": { labels: ["iface"], summary: "{iface} sends {value} B/s (threshold {threshold} B/s)" },
  "fs.used_pct": { labels: FS, summary: "{mount} is {value}% full (threshold {threshold}%)" },
  "fs.free_bytes": { labels: FS, summary: "{mount} has {value} bytes free (threshold {threshold})" },
  "fs.inodes_used_pct": { labels: FS, summary: "{mount} has used {value}% of its inodes (threshold {threshold}%)" },
  "docker.up": { labels: [], summary: "the Docker engine is not reachable" },
  "container.up": { labels: CONTAINER, summary: "container {container} is not running" },
  "container.healthy": { labels: CONTAINER, summary: "container {container} is unhealthy" },
  "container.restarts": {
    labels: CONTAINER,
    summary: "container {container} has restarted {value} times (threshold {threshold})",
    increaseSummary: "container {container} restarted {value} times in {window} (threshold {threshold})",
  },
  "container.cpu_pct": { labels: CONTAINER, summary: "container {container} uses {value}% CPU (threshold {threshold}%)" },
  "container.mem_pct": { labels: CONTAINER, summary: "container {container} uses {value}% of its memory limit (threshold {threshold}%)" },
  "container.mem_bytes": { labels: CONTAINER, summary: "container {container} uses {value} bytes of memory (threshold {threshold})" },
  "check.up": { labels: CHECK, summary: "check {check} ({kind}) is failing" },
  "check.latency_ms": { labels: CHECK, summary: "check {check} answers in {value} ms (threshold {threshold} ms)" },
  "check.tls_days_left": {
    labels: CHECK,
    summary: "the TLS certificate of check {check} expires in {value} days (threshold {threshold})",
  },
  "pihole.blocking": { labels: ["check"], summary: "Pi-hole ({check}) is not blocking" },
  "pihole.blocked_pct": { labels: ["check"], summary: "Pi-hole ({check}) blocks {value}% of queries (threshold {threshold}%)" },
  "pihole.queries": { labels: ["check"], summary: "Pi-hole ({check}) answered {value} queries in 24 h (threshold {threshold})" },
  "pihole.gravity_age_hours": { labels: ["check"], summary: "Pi-hole ({check})'s block list is {value} hours old (threshold {threshold})" },
  "host.reachable": { labels: [], summary: "the host cannot be reached over SSH" },
  "disk.readable": { labels: ["device"], summary: "smartctl cannot read disk {device}" },
  "disk.smart_ok": { labels: ["device"], summary: "disk {device} fails its SMART self-assessment: replace it" },
  "disk.reallocated_sectors": {
    labels: ["device"],
    summary: "disk {device} has {value} reallocated sectors (threshold {threshold})",
    increaseSummary: "disk {device} reallocated {value} more sectors in {window}",
  },
  "disk.pending_sectors": { labels: ["device"], summary: "disk {device} has {value} sectors pending reallocation (threshold {threshold})" },
  "disk.uncorrectable_sectors": { labels: ["device"], summary: "disk {device} has {value} uncorrectable sectors (threshold {threshold})" },
  "disk.media_errors": { labels: ["device"], summary: "disk {device} has {value} media errors (threshold {threshold})" },
  "disk.temp_celsius": { labels: ["device"], summary: "disk {device} is at {value} °C (threshold {threshold} °C)" },
  "raid.degraded": { labels: ["array"], summary: "RAID array {array} is degraded" },
  "raid.missing_devices": { labels: ["array"], summary: "RAID array {array} is missing {value} members (threshold {threshold})" },
  "raid.sync_pct": { labels: ["array"], summary: "RAID array {array} is {value}% through its rebuild" },
  "dyndns.ok": { labels: ["client"], summary: "the dynamic-DNS client ({client}) reports a failed update" },
  "dyndns.age_hours": {
    labels: ["client"],
    summary: "the dynamic-DNS client ({client}) last updated {value} hours ago (threshold {threshold})",
  },
  "job.ok": { labels: ["job"], summary: "job {job} failed its last run" },
  "job.overdue": { labels: ["job"], summary: "job {job} has not run within its maximum age" },
  "lag.store_ok": {
    labels: [],
    summary: "the monitor cannot write its history or alert state (full or read-only data disk?); alerts still go out",
  },
} as const satisfies Record<string, MetricInfo>;

export type MetricName = keyof typeof METRICS;
export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}
