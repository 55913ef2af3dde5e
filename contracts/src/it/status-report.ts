import { z } from "zod";
import { defineEvent } from "../descriptors.ts";
import { itStream } from "../streams.ts";
import { HostName, IsoTime, Percent, Severity } from "./common.ts";

export const Health = z.enum(["ok", "warning", "critical"]);
export type Health = z.infer<typeof Health>;

export const StatusReport = z.object({
  host: HostName,
  time: IsoTime,
  health: Health,
  summary: z.string(),
  cpuPct: Percent,
  memoryPct: Percent,
  load1: z.number().nonnegative(),
  filesystems: z.array(z.object({ mount: z.string(), role: z.string().optional(), usedPct: Percent, freeBytes: z.number().nonnegative() })),
  firing: z.array(z.object({ rule: z.string(), severity: Severity, summary: z.string(), since: IsoTime })),
});
export type StatusReport = z.infer<typeof StatusReport>;

export const statusReport = defineEvent({
  type: "es.lagrieta.it.status.report.v1",
  subject: "lag.it.status.report.{host}",
  schema: StatusReport,
  publisher: "it-monitor",
  audience: "all",
  stream: itStream,
  tokens: (d) => ({ host: d.host }),
  description: "A host's periodic health report for CEO_LAG and the digest: overall health and what is firing.",
  example: {
    host: "kronos",
    time: "2026-11-23T06:00:00.000Z",
    health: "warning",
    summary: "1 alert firing: /mnt/storage is 91.2% full",
    cpuPct: 12.5,
    memoryPct: 37.5,
    load1: 0.4,
    filesystems: [{ mount: "/mnt/storage", role: "storage", usedPct: 91.2, freeBytes: 352e9 }],
    firing: [{ rule: "disk-high", severity: "high", summary: "/mnt/storage is 91.2% full", since: "2026-11-23T05:40:00.000Z" }],
  },
});
