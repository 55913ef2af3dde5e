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
