import { RulesConfig, type RuleConfig } from "./rule-config.ts";
import { renderRulesYaml, withRules, type DefaultRule } from "./rules-yaml.ts";

/**
 * The rules shipped with the sample config, each with the reason for its numbers (rendered as a
 * YAML comment above it). They apply when `it.monitor.rules` is absent; a config that lists rules
 * gets exactly those, so the sample config carries this list for the operator to edit in place.
 */
export const DEFAULT_RULES: readonly DefaultRule[] = [
  {
    why: "A disk past 85 % needs a plan (clean up, move media, add a disk). It resolves under 80 %, so a disk hovering at 85 % does not flap.",
    rule: { name: "disk-high", metric: "fs.used_pct", op: ">", threshold: 85, recover: 80, severity: "high" },
  },
  {
    why: "Past 95 % writes start failing: databases, mail and backups break. Act now.",
    rule: { name: "disk-critical", metric: "fs.used_pct", op: ">", threshold: 95, recover: 90, severity: "critical" },
  },
  {
    why: "Out of inodes is a full disk with free space left (mail stores, thumbnail caches).",
    rule: { name: "inodes-high", metric: "fs.inodes_used_pct", op: ">", threshold: 90, recover: 85, severity: "high" },
  },
  {
    why: "Used memory excludes the page cache. Five minutes, so that an import burst does not count.",
    rule: { name: "memory-high", metric: "mem.used_pct", op: ">", threshold: 90, for: "5m", recover: 85, severity: "medium" },
  },
  {
    why: "Transcodes and imports saturate the CPU for minutes by design; ten minutes of it is a runaway.",
    rule: { name: "cpu-high", metric: "cpu.usage_pct", op: ">", threshold: 95, for: "10m", recover: 85, severity: "medium" },
  },
  {
    why: "An absolute number, not per core: 8 is twice the cores of a 4-core box. Set it to about 2 x your core count.",
    rule: { name: "load-high", metric: "load.5", op: ">", threshold: 8, for: "15m", recover: 6, severity: "medium" },
  },
  {
    why: "Some swap in use is normal; half of it for ten minutes means memory pressure.",
    rule: { name: "swap-high", metric: "swap.used_pct", op: ">", threshold: 50, for: "10m", recover: 40, severity: "low" },
  },
  {
    why: "A container that should run and does not, reported within one interval. A one-shot container that finished cleanly without a restart policy is done, not down, and one Docker is restarting by its policy counts as up (a loop is the next rule's alert); the label lag.expect=running or lag.expect=finished overrides.",
    rule: { name: "container-down", metric: "container.up", op: "==", threshold: 0, severity: "high" },
  },
  {
    why: "Only containers that declare a health check are judged.",
    rule: { name: "container-unhealthy", metric: "container.healthy", op: "==", threshold: 0, severity: "high" },
  },
  {
    why: "Three restarts in ten minutes is a restart loop; it resolves once the restarts have aged out of the window.",
    rule: {
      name: "container-restart-loop",
      metric: "container.restarts",
      function: "increase",
      window: "10m",
      op: ">=",
      threshold: 3,
      severity: "high",
    },
  },
  {
    why: "Containers may still run, but nothing about them can be seen (their own alerts resolve as no longer reported).",
    rule: { name: "docker-down", metric: "docker.up", op: "==", threshold: 0, severity: "medium" },
  },
  {
    why: "One failed probe is common (a Traefik reload, a container restarting for an update); a service down for a minute is an outage. A minute is six failed probes in a row at the default 10 s check interval (two at 30 s).",
    rule: { name: "check-down", metric: "check.up", op: "==", threshold: 0, for: "1m", severity: "critical" },
  },
  {
    why: "Certificates renew 30 days before expiry, so 14 days left means renewal has been failing for two weeks. Days matter here, not hours: one reminder a day.",
    rule: { name: "tls-expiring", metric: "check.tls_days_left", op: "<", threshold: 14, severity: "high", repeat: "24h" },
  },
  {
    why: "Three days left: renew by hand now.",
    rule: { name: "tls-expiry-critical", metric: "check.tls_days_left", op: "<", threshold: 3, severity: "critical", repeat: "6h" },
  },
  {
    why: "Blocking switched off for a quick test is normal; off for a quarter of an hour means it was forgotten (or the timer was not set), and every device on the network sees ads and trackers again.",
    rule: { name: "pihole-blocking-off", metric: "pihole.blocking", op: "==", threshold: 0, for: "15m", severity: "medium" },
  },
  {
    why: "Pi-hole rebuilds its block list weekly (pihole -g from cron); a list older than two weeks means the update fails.",
    rule: { name: "pihole-gravity-old", metric: "pihole.gravity_age_hours", op: ">", threshold: 336, severity: "low", repeat: "24h" },
  },
  {
    why: "A host read over SSH (the NAS) that does not answer for two minutes is down or off the network; a single dropped round is not worth a page.",
    rule: { name: "host-unreachable", metric: "host.reachable", op: "==", threshold: 0, for: "2m", severity: "high" },
  },
  {
    why: "A degraded array runs without redundancy: the next disk to fail loses data. Kept while the host is unreachable, so an outage does not quietly resolve it.",
    rule: { name: "raid-degraded", metric: "raid.degraded", op: "==", threshold: 1, severity: "high", missing: "keep" },
  },
  {
    why: "SMART's own verdict: the drive predicts its failure. Back up and replace it.",
    rule: { name: "disk-failing", metric: "disk.smart_ok", op: "==", threshold: 0, severity: "critical", missing: "keep" },
  },
  {
    why: "Sectors waiting for reallocation are unreadable now; any is a warning sign (most healthy disks show 0).",
    rule: { name: "disk-pending-sectors", metric: "disk.pending_sectors", op: ">", threshold: 0, severity: "medium", repeat: "24h" },
  },
  {
    why: "A few reallocated sectors on an old disk are common; the count growing is what foretells failure.",
    rule: {
      name: "disk-reallocating",
      metric: "disk.reallocated_sectors",
      function: "increase",
      window: "6h",
      op: ">",
      threshold: 0,
      severity: "medium",
      repeat: "24h",
    },
  },
  {
    why: "Hard disks are rated to about 55 C; ten minutes so that a scrub's burst does not count.",
    rule: { name: "disk-hot", metric: "disk.temp_celsius", op: ">", threshold: 55, for: "10m", recover: 50, severity: "medium" },
  },
  {
    why: "The No-IP client failing to update means the domain may point at an old address; half an hour rides out No-IP's own hiccups.",
    rule: { name: "dyndns-failing", metric: "dyndns.ok", op: "==", threshold: 0, for: "30m", severity: "medium" },
  },
  {
    why: "A NAS backup job that reported failure: the copy it makes is missing or partial.",
    rule: { name: "nas-job-failed", metric: "job.ok", op: "==", threshold: 0, severity: "high", repeat: "12h" },
  },
  {
    why: "A job that has not written its log within its maxAge stopped running (cron, a disabled task).",
    rule: { name: "nas-job-overdue", metric: "job.overdue", op: "==", threshold: 1, severity: "medium", repeat: "12h" },
  },
  {
    why: "Sustained heat past 80 C shortens disk and CPU life; two minutes so that a short burst does not count.",
    rule: { name: "temperature-high", metric: "temp.celsius", op: ">", threshold: 80, for: "2m", recover: 75, severity: "high" },
  },
  {
    why: "The monitor cannot write its history or its alert state (a full or read-only data disk): alerts still go out, but history has a gap and a restart would announce firing alerts again. Once, not every interval; it resolves when the store is written again.",
    rule: { name: "store-failing", metric: "lag.store_ok", op: "==", threshold: 0, severity: "high" },
  },
];

/** The default rules, parsed (defaults filled in, durations in ms). */
export const defaultRules: RuleConfig[] = RulesConfig.parse(DEFAULT_RULES.map((d) => d.rule));

/**
 * The default rules as YAML for config/lag.sample.yaml: a `rules:` key at `indent` spaces (4 under
 * `it:` / `monitor:`), each rule preceded by its reason as a comment.
 */
export function defaultRulesYaml(indent = 0): string {
  return renderRulesYaml(DEFAULT_RULES, indent);
}

/** config/lag.sample.yaml with the default rules written into it (`pnpm gen`). */
export function sampleWithDefaultRules(sample: string): string {
  return withRules(sample, DEFAULT_RULES);
}
