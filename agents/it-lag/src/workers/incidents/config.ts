import { z } from "zod";
import { duration } from "@lag/config";
import { HostName, Severity } from "@lag/contracts";
import { DockerConnection } from "../../docker/connection.ts";
import { RUNBOOK_KINDS } from "./runbooks/registry.ts";

const Matchers = z.record(z.string(), z.string());

/** An alert that explains others: while it fires, matching targets with the same `equal` labels notify no one. */
export const InhibitRule = z.strictObject({
  source: Matchers,
  target: Matchers,
  /** Labels source and target must share (`host`: only that host's alerts). */
  equal: z.array(z.string()).default(["host"]),
});
export type InhibitRule = z.infer<typeof InhibitRule>;

/** When an incident spreads: `distinct` values of a label among a host's firing alerts, at least `atLeast`. */
export const EscalationRule = z.strictObject({
  name: z.string().min(1),
  match: Matchers.default({}),
  distinct: z.string().min(1),
  atLeast: z.number().int().min(2),
  to: Severity,
});
export type EscalationRule = z.infer<typeof EscalationRule>;

/** Which alerts call for which action, asked of CEO_LAG before it runs. */
export const RunbookRule = z.strictObject({
  match: Matchers,
  action: z.enum(RUNBOOK_KINDS),
  risk: z.enum(["low", "medium", "high"]).default("low"),
  /** How long CEO_LAG (or a person) has to decide before the request expires as denied. */
  approvalTimeout: duration.default(15 * 60_000),
  /** How long the fix may take to show (a restarted container to be running and healthy). */
  verifyTimeout: duration.default(120_000),
});
export type RunbookRule = z.infer<typeof RunbookRule>;

export const DEFAULT_INHIBIT: InhibitRule[] = [
  // Docker unreachable explains its containers' alerts on that host.
  { source: { rule: "docker-down" }, target: { rule: "container-*" }, equal: ["host"] },
  // A host whose monitor is silent explains everything else of that host.
  { source: { rule: "host-silent" }, target: { rule: "!host-silent" }, equal: ["host"] },
];

export const DEFAULT_ESCALATE: EscalationRule[] = [
  { name: "containers-spreading", match: { rule: "container-*" }, distinct: "container", atLeast: 3, to: "critical" },
];

export const DEFAULT_RUNBOOKS = [
  { match: { rule: "container-unhealthy" }, action: "restart-container" },
  // Only proposed: pruning is medium risk, which the default policy hands to a person.
  { match: { rule: "disk-critical" }, action: "prune-docker", risk: "medium" },
];

export const IncidentsConfig = z.strictObject({
  /** The host this worker runs on: runbooks act here, host processes are read here. Default: `it.monitor.host`. */
  host: HostName.optional(),
  /** Labels an incident is grouped by; `object` is the alert's object: container, mount, check, iface, sensor. */
  groupBy: z.array(z.string()).default(["host", "object"]),
  /** How long a new incident gathers alerts before the first notification (critical ones notify at once). */
  groupWait: duration.default(30_000),
  /** An incident resolves once all its alerts have been resolved this long: a flapping alert stays in one incident. */
  resolveAfter: duration.default(5 * 60_000),
  /** Reminders while an incident is open and nobody acknowledged it. */
  repeatInterval: duration.default(4 * 3_600_000),
  /** A host without host metrics this long is itself an alert (host-silent): a dead monitor is not a healthy host. */
  hostSilentAfter: duration.default(35_000),
  inhibit: z.array(InhibitRule).default(DEFAULT_INHIBIT),
  escalate: z.array(EscalationRule).default(DEFAULT_ESCALATE),
  /** A silence that has matched nothing this long is flagged (stale). */
  silenceStaleAfter: duration.default(24 * 3_600_000),
  runbooks: z.array(RunbookRule).default(DEFAULT_RUNBOOKS as never),
  /** The same fingerprint at least this many times in 7 days is a pattern the report suggests preventing. */
  patternAtLeast: z.number().int().min(2).default(3),
  /** When the daily report goes to CEO_LAG: a cron expression in a time zone. */
  report: z.strictObject({ cron: z.string().default("0 7 * * *"), timezone: z.string().default("Europe/Madrid") }).prefault({}),
  /** How the runbooks reach Docker on this host. */
  docker: DockerConnection.prefault({}),
});
export type IncidentsConfig = z.infer<typeof IncidentsConfig>;
