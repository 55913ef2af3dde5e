import { z } from "zod";
import { defineService, endpoint } from "../descriptors.ts";
import { Alert } from "./alerts.ts";
import { CheckResult } from "./checks.ts";
import { Bytes, HostName, IsoTime, Percent } from "./common.ts";
import { Container } from "./containers.ts";
import { DiskHealth, DynDnsStatus, JobStatus, RaidArray } from "./host.ts";
import { Health } from "./status-report.ts";

/** A series is a metric name plus labels: `fs.used_pct{mount=/mnt/storage}`. */
export const SeriesKey = z.object({
  metric: z.string().min(1),
  labels: z.record(z.string(), z.string()),
});

export const HistoryQuery = z
  .strictObject({
    metric: z.string().min(1),
    /** Only series whose labels include these. */
    labels: z.record(z.string(), z.string()).optional(),
    /** Range; defaults to the last hour. */
    from: IsoTime.optional(),
    to: IsoTime.optional(),
    /** Wanted resolution in seconds; the store picks raw, 1-minute or 1-hour data to serve it. */
    stepSec: z.number().int().positive().optional(),
  })
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: "from must be before to", path: ["from"] });

export const HistoryReply = z.object({
  host: HostName,
  metric: z.string(),
  from: IsoTime,
  to: IsoTime,
  stepSec: z.number().int().positive(),
  /** Which data answered: raw samples, or the 1-minute / 1-hour roll-ups. */
  source: z.enum(["raw", "1m", "1h"]),
  series: z.array(
    z.object({
      labels: z.record(z.string(), z.string()),
      /** [unix ms, min, avg, max] per step, oldest first; steps without data are left out. */
      points: z.array(z.tuple([z.number(), z.number(), z.number(), z.number()])),
    }),
  ),
});
export type HistoryReply = z.infer<typeof HistoryReply>;

export const SeriesQuery = z.strictObject({ prefix: z.string().optional() });
export const SeriesReply = z.object({ host: HostName, series: z.array(SeriesKey) });

export const MonitorStatus = z.object({
  host: HostName,
  time: IsoTime,
  health: Health,
  uptimeSec: z.number().nonnegative(),
  cpuPct: Percent,
  memoryPct: Percent,
  load1: z.number().nonnegative(),
  filesystems: z.array(z.object({ mount: z.string(), role: z.string().optional(), usedPct: Percent, freeBytes: Bytes, sizeBytes: Bytes })),
  docker: z.object({ available: z.boolean(), error: z.string().optional() }),
  /** How a host without an agent is read (over SSH), and whether it answered the last round. */
  reach: z.object({ via: z.literal("ssh"), address: z.string(), connected: z.boolean(), error: z.string().optional() }).optional(),
  /** Disks, RAID arrays, the dynamic-DNS client and jobs, where the host's target reads them. */
  disks: z.array(DiskHealth).optional(),
  raid: z.array(RaidArray).optional(),
  dynDns: DynDnsStatus.optional(),
  jobs: z.array(JobStatus).optional(),
  containers: z.array(Container),
  checks: z.array(CheckResult),
  firing: z.array(Alert),
});
export type MonitorStatus = z.infer<typeof MonitorStatus>;

const exampleStatus: MonitorStatus = {
  host: "kronos",
  time: "2026-11-23T06:00:00.000Z",
  health: "ok",
  uptimeSec: 86_400,
  cpuPct: 12.5,
  memoryPct: 37.5,
  load1: 0.4,
  filesystems: [{ mount: "/mnt/storage", role: "storage", usedPct: 75, freeBytes: 1e12, sizeBytes: 4e12 }],
  docker: { available: true },
  containers: [],
  checks: [],
  firing: [],
};

/** The windows availability is given over. */
export const UPTIME_WINDOWS = { "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000, "1y": 365 * 86_400_000 } as const;
export type UptimeWindowName = keyof typeof UPTIME_WINDOWS;

const Availability = {
  /** Share of the check's probes that were up, in %; null when the check has no history in the span. */
  availabilityPct: z.number().min(0).max(100).nullable(),
  /** Time the check's history covers in the span (excluded time not counted). */
  measuredSec: z.number().nonnegative(),
  /** measured × (1 − availability): about how long it was down. */
  downSec: z.number().nonnegative(),
  /** Time left out because a silence (maintenance window) covered it, when exclusion was asked. */
  excludedSec: z.number().nonnegative(),
};

export const UptimeWindow = z.object({
  window: z.enum(Object.keys(UPTIME_WINDOWS) as [UptimeWindowName, ...UptimeWindowName[]]),
  ...Availability,
  /** Response-time percentiles over the hours in the window (from hourly histograms; ±4.3 %). */
  p50Ms: z.number().nonnegative().nullable(),
  p95Ms: z.number().nonnegative().nullable(),
  p99Ms: z.number().nonnegative().nullable(),
});
export type UptimeWindow = z.infer<typeof UptimeWindow>;

export const UptimeDay = z.object({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), ...Availability });
export type UptimeDay = z.infer<typeof UptimeDay>;

export const CheckUptime = z.object({
  check: z.string(),
  kind: z.string(),
  windows: z.array(UptimeWindow),
  /** One per local day, oldest first, today (so far) last. */
  days: z.array(UptimeDay),
  /** Silences (maintenance windows) that matched this check within the longest window. */
  silences: z.array(z.object({ id: z.string(), startsAt: IsoTime, endsAt: IsoTime, note: z.string(), createdBy: z.string() })),
});
export type CheckUptime = z.infer<typeof CheckUptime>;

export const UptimeQuery = z.strictObject({
  /** Only these checks (names); all with history by default. */
  checks: z.array(z.string().min(1)).optional(),
  /** How many daily bars. */
  days: z.number().int().min(1).max(90).default(30),
  /** The days' time zone (IANA). */
  timezone: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, "an IANA time zone such as Europe/Madrid")
    .default("UTC"),
  /** Leave out time covered by silences that match the check (host, check, kind). */
  excludeSilences: z.boolean().default(false),
});

export const UptimeReply = z.object({
  host: HostName,
  at: IsoTime,
  timezone: z.string(),
  excludeSilences: z.boolean(),
  /** Why silences could not be read (it-incidents did not answer): none are shown or excluded. */
  silencesError: z.string().optional(),
  checks: z.array(CheckUptime),
});
export type UptimeReply = z.infer<typeof UptimeReply>;

const uptimeExample: UptimeReply = {
  host: "kronos",
  at: "2026-11-23T06:00:00.000Z",
  timezone: "Europe/Madrid",
  excludeSilences: false,
  checks: [
    {
      check: "immich-web",
      kind: "http",
      windows: [
        { window: "24h", availabilityPct: 100, measuredSec: 86_400, downSec: 0, excludedSec: 0, p50Ms: 12.1, p95Ms: 35.2, p99Ms: 80.4 },
        { window: "7d", availabilityPct: 99.95, measuredSec: 604_800, downSec: 302, excludedSec: 0, p50Ms: 12.1, p95Ms: 38.4, p99Ms: 95.6 },
      ],
      days: [{ day: "2026-11-23", availabilityPct: 100, measuredSec: 25_200, downSec: 0, excludedSec: 0 }],
      silences: [],
    },
  ],
};

/** Per-host endpoints: each monitor answers for its own host (`{host}` in the subject). */
export const monitorService = defineService({
  name: "it-monitor",
  version: "0.1.0",
  description: "One monitored host: current status, metric history and the series it keeps",
  server: "it-monitor",
  callers: "all",
  endpoints: {
    status: endpoint({
      subject: "lag.it.monitor.status.{host}",
      request: z.strictObject({}),
      reply: MonitorStatus,
      description: "The host's status now: health, resources, filesystems, containers, checks and firing alerts.",
      example: { request: {}, reply: exampleStatus },
    }),
    history: endpoint({
      subject: "lag.it.monitor.history.{host}",
      request: HistoryQuery,
      reply: HistoryReply,
      description: "A metric's series over a time range at a chosen resolution (raw, or min/avg/max roll-ups).",
      example: {
        request: { metric: "cpu.usage_pct", from: "2026-11-23T05:00:00.000Z", to: "2026-11-23T06:00:00.000Z", stepSec: 60 },
        reply: {
          host: "kronos",
          metric: "cpu.usage_pct",
          from: "2026-11-23T05:00:00.000Z",
          to: "2026-11-23T06:00:00.000Z",
          stepSec: 60,
          source: "1m",
          series: [{ labels: {}, points: [[1795410000000, 5, 12.5, 30]] }],
        },
      },
    }),
    series: endpoint({
      subject: "lag.it.monitor.series.{host}",
      request: SeriesQuery,
      reply: SeriesReply,
      description: "The series this host keeps history for (metric names and labels).",
      example: {
        request: { prefix: "fs." },
        reply: { host: "kronos", series: [{ metric: "fs.used_pct", labels: { mount: "/mnt/storage", role: "storage" } }] },
      },
    }),
    uptime: endpoint({
      subject: "lag.it.monitor.uptime.{host}",
      request: UptimeQuery,
      reply: UptimeReply,
      description:
        "Each check's availability over 24 h, 7 d, 30 d and 1 y, response-time percentiles and one bar per day, from the roll-ups; silences shown, and left out on request.",
      example: { request: { timezone: "Europe/Madrid", days: 30 }, reply: uptimeExample },
    }),
  },
});
