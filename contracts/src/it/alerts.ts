import { z } from "zod";
import { defineEvent } from "../descriptors.ts";
import { itStream } from "../streams.ts";
import { HostName, IsoTime, Severity, Slug } from "./common.ts";

export const AlertStatus = z.enum(["firing", "resolved"]);

export const Alert = z.object({
  /** Stable identity of this alert: the same rule on the same host and labels. */
  fingerprint: z.string().min(1),
  rule: Slug,
  host: HostName,
  status: AlertStatus,
  severity: Severity,
  summary: z.string().min(1),
  /** The metric or check the rule watches (`fs.used_pct`, `check:web`). */
  source: z.string().min(1),
  value: z.number().nullable(),
  threshold: z.number().nullable(),
  labels: z.record(z.string(), z.string()),
  startsAt: IsoTime,
  endsAt: IsoTime.optional(),
  /** 0 when it first fires; n for the n-th reminder while it lasts. */
  repeat: z.number().int().nonnegative(),
});
export type Alert = z.infer<typeof Alert>;

export const alert = defineEvent({
  type: "es.lagrieta.it.alert.v1",
  subject: "lag.it.alert.{status}.{host}.{rule}",
  schema: Alert,
  publisher: "it-monitor",
  audience: "all",
  stream: itStream,
  tokens: (d) => ({ status: d.status, host: d.host, rule: d.rule }),
  description: "An alert rule fired (once when it starts, then every repeat interval while it lasts) or resolved.",
  example: {
    fingerprint: "disk-high/kronos/mount=/mnt/storage,role=storage",
    rule: "disk-high",
    host: "kronos",
    status: "firing",
    severity: "high",
    summary: "/mnt/storage is 91.2% full (threshold 85%)",
    source: "fs.used_pct",
    value: 91.2,
    threshold: 85,
    labels: { mount: "/mnt/storage", role: "storage" },
    startsAt: "2026-11-23T06:00:00.000Z",
    repeat: 0,
  },
});

/**
 * The backup worker's alerts: the same contract as the monitor's, on its own subjects so that the
 * production permissions let each worker raise only its own (the incident worker reads both).
 */
export const backupAlert = defineEvent({
  type: "es.lagrieta.it.alert.v1",
  subject: "lag.it.backup.alert.{status}.{host}.{rule}",
  schema: Alert,
  publisher: "it-backup",
  audience: "all",
  stream: itStream,
  tokens: (d) => ({ status: d.status, host: d.host, rule: d.rule }),
  description:
    "A backup plan's run failed, its check found damage, a run was missed, a drill failed, or a run looked wrong (an anomaly); or that resolved.",
  example: {
    fingerprint: "backup-failed/kronos/plan=immich,repository=nas",
    rule: "backup-failed",
    host: "kronos",
    status: "firing",
    severity: "high",
    summary: "backup immich to nas failed: the repository is locked by another run",
    source: "backup:immich",
    value: null,
    threshold: null,
    labels: { plan: "immich", repository: "nas" },
    startsAt: "2026-11-23T03:00:05.000Z",
    repeat: 0,
  },
});

/** The subscription worker's alerts: an expiry or notice date coming (severity rising at each lead time), passed, or a source that fails. */
export const subscriptionAlert = defineEvent({
  type: "es.lagrieta.it.alert.v1",
  subject: "lag.it.subscription.alert.{status}.{host}.{rule}",
  schema: Alert,
  publisher: "it-subscriptions",
  audience: "all",
  stream: itStream,
  tokens: (d) => ({ status: d.status, host: d.host, rule: d.rule }),
  description:
    "A subscription's expiry (or notice date) is within a lead time, with a severity that rises as it nears and critical once passed; or its source cannot be read; or that resolved (renewed, removed, readable again).",
  example: {
    fingerprint: "subscription-expiring/kronos/date=expiry,subscription=lagrieta-es",
    rule: "subscription-expiring",
    host: "kronos",
    status: "firing",
    severity: "medium",
    summary: "domain lagrieta.es expires in 14 days (2026-12-07, from whois); renewal through approval, 12 EUR",
    source: "subscription:lagrieta-es",
    value: 14,
    threshold: 14,
    labels: { subscription: "lagrieta-es", date: "expiry" },
    startsAt: "2026-11-23T10:00:00.000Z",
    repeat: 1,
  },
});

/** The maintenance worker's alerts: failed logins, security updates or a reboot waiting, a Docker log too big, an image update pending long. */
export const maintenanceAlert = defineEvent({
  type: "es.lagrieta.it.alert.v1",
  subject: "lag.it.maintenance.alert.{status}.{host}.{rule}",
  schema: Alert,
  publisher: "it-maintenance",
  audience: "all",
  stream: itStream,
  tokens: (d) => ({ status: d.status, host: d.host, rule: d.rule }),
  description:
    "Past a maintenance threshold: failed SSH logins over 24 h, security updates pending, a reboot required for long, a container's Docker log too big, an image update pending for long; or that resolved.",
  example: {
    fingerprint: "failed-logins/kronos/",
    rule: "failed-logins",
    host: "kronos",
    status: "firing",
    severity: "medium",
    summary: "412 failed SSH logins in 24 h from 37 addresses (most: 203.0.113.7, 188)",
    source: "maintenance:failed-logins",
    value: 412,
    threshold: 100,
    labels: {},
    startsAt: "2026-11-23T05:00:00.000Z",
    repeat: 0,
  },
});

/** Every event carrying the alert contract, whoever raises it. */
export const alertEvents = [alert, backupAlert, subscriptionAlert, maintenanceAlert] as const;
