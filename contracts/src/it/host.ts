import { z } from "zod";
import { defineEvent } from "../descriptors.ts";
import { Bytes, HostName, IsoTime, Percent } from "./common.ts";

export const Filesystem = z.object({
  mount: z.string().min(1),
  device: z.string(),
  fsType: z.string(),
  /** The role the config gives this mount (backup, storage, …), if any. */
  role: z.string().optional(),
  sizeBytes: Bytes,
  usedBytes: Bytes,
  freeBytes: Bytes,
  usedPct: Percent,
  inodesTotal: z.number().int().nonnegative().optional(),
  inodesUsed: z.number().int().nonnegative().optional(),
  inodesUsedPct: Percent.optional(),
});
export type Filesystem = z.infer<typeof Filesystem>;

export const NetworkInterface = z.object({
  iface: z.string().min(1),
  rxBytesPerSec: z.number().nonnegative(),
  txBytesPerSec: z.number().nonnegative(),
  rxBytes: Bytes,
  txBytes: Bytes,
});

/** One disk's health as `smartctl -A -H --json` reports it (ATA attributes, or NVMe's health log). */
export const DiskHealth = z.object({
  device: z.string().min(1),
  model: z.string().optional(),
  serial: z.string().optional(),
  /** SMART's overall self-assessment; absent when it could not be read. */
  passed: z.boolean().optional(),
  /** ATA 5 Reallocated_Sector_Ct (raw). */
  reallocatedSectors: z.number().int().nonnegative().optional(),
  /** ATA 197 Current_Pending_Sector (raw). */
  pendingSectors: z.number().int().nonnegative().optional(),
  /** ATA 198 Offline_Uncorrectable (raw). */
  uncorrectableSectors: z.number().int().nonnegative().optional(),
  /** NVMe media and data integrity errors. */
  mediaErrors: z.number().int().nonnegative().optional(),
  temperatureC: z.number().optional(),
  powerOnHours: z.number().nonnegative().optional(),
  /** Why smartctl could not read the disk (it could not open it, a command failed). */
  error: z.string().optional(),
});
export type DiskHealth = z.infer<typeof DiskHealth>;

/** One Linux software RAID array from /proc/mdstat. */
export const RaidArray = z.object({
  array: z.string().min(1),
  /** raid1, raid5, … (absent for an inactive array). */
  level: z.string().optional(),
  state: z.enum(["active", "inactive"]),
  readOnly: z.boolean(),
  /** Members the array should have, and those in use ([n/m] in mdstat); for raid0/linear both are the members listed. */
  devices: z.number().int().nonnegative(),
  activeDevices: z.number().int().nonnegative(),
  failed: z.array(z.string()),
  spares: z.array(z.string()),
  /** Fewer members working than the array needs, a failed member, or an inactive array. */
  degraded: z.boolean(),
  /** A rebuild, resync, reshape or check under way. */
  sync: z.object({ action: z.string(), pct: Percent, finishMin: z.number().nonnegative().optional() }).optional(),
});
export type RaidArray = z.infer<typeof RaidArray>;

/** The dynamic-DNS client's last word, read from its status or log file. */
export const DynDnsStatus = z.object({
  client: z.string().min(1),
  file: z.string(),
  /** The last recognised status: an update made or not needed is ok; an error is not. */
  ok: z.boolean(),
  status: z.string(),
  ip: z.string().optional(),
  /** When that status was written (its own timestamp, else the file's modification time). */
  at: IsoTime.optional(),
});
export type DynDnsStatus = z.infer<typeof DynDnsStatus>;

/** A job (a NAS backup, a sync) judged by the last verdict in its log or status file. */
export const JobStatus = z.object({
  name: z.string().min(1),
  file: z.string(),
  /** The last line that says success or failure; absent when none does (or the file is missing). */
  ok: z.boolean().optional(),
  line: z.string().optional(),
  /** The file's modification time: when the job last wrote. */
  lastRun: IsoTime.optional(),
  /** Older than the job's maxAge, or missing. */
  overdue: z.boolean(),
  error: z.string().optional(),
});
export type JobStatus = z.infer<typeof JobStatus>;

export const HostMetrics = z.object({
  host: HostName,
  time: IsoTime,
  intervalMs: z.number().int().positive(),
  uptimeSec: z.number().nonnegative(),
  cpu: z.object({ usagePct: Percent, cores: z.array(Percent) }),
  load: z.object({ l1: z.number().nonnegative(), l5: z.number().nonnegative(), l15: z.number().nonnegative() }),
  memory: z.object({
    totalBytes: Bytes,
    usedBytes: Bytes,
    availableBytes: Bytes,
    usedPct: Percent,
    swapTotalBytes: Bytes,
    swapUsedBytes: Bytes,
  }),
  /** Empty when the host exposes no sensors (virtual machines). */
  temperatures: z.array(z.object({ sensor: z.string(), celsius: z.number() })),
  network: z.array(NetworkInterface),
  filesystems: z.array(Filesystem),
  /** Hosts read over SSH (a NAS): what its target is configured to read. */
  disks: z.array(DiskHealth).optional(),
  /** Software RAID: a target's, and the monitor's own host's where it has md arrays. */
  raid: z.array(RaidArray).optional(),
  dynDns: DynDnsStatus.optional(),
  jobs: z.array(JobStatus).optional(),
});
export type HostMetrics = z.infer<typeof HostMetrics>;

const GiB = 1024 ** 3;

export const hostMetrics = defineEvent({
  type: "es.lagrieta.it.host.metrics.v1",
  subject: "lag.it.host.metrics.{host}",
  schema: HostMetrics,
  publisher: "it-monitor",
  audience: "all",
  tokens: (d) => ({ host: d.host }),
  description:
    "Host metrics sampled every interval (CPU, load, memory, temperatures, network, every filesystem). " +
    "High rate, core NATS: history lives in the monitor's SQLite.",
  example: {
    host: "kronos",
    time: "2026-11-23T06:00:00.000Z",
    intervalMs: 10_000,
    uptimeSec: 86_400,
    cpu: { usagePct: 12.5, cores: [10, 15] },
    load: { l1: 0.4, l5: 0.3, l15: 0.2 },
    memory: {
      totalBytes: 16 * GiB,
      usedBytes: 6 * GiB,
      availableBytes: 10 * GiB,
      usedPct: 37.5,
      swapTotalBytes: 2 * GiB,
      swapUsedBytes: 0,
    },
    temperatures: [{ sensor: "cpu", celsius: 48 }],
    network: [{ iface: "eth0", rxBytesPerSec: 125_000, txBytesPerSec: 40_000, rxBytes: 9e9, txBytes: 3e9 }],
    filesystems: [
      {
        mount: "/mnt/storage",
        device: "/dev/sdb1",
        fsType: "ext4",
        role: "storage",
        sizeBytes: 4000 * GiB,
        usedBytes: 3000 * GiB,
        freeBytes: 1000 * GiB,
        usedPct: 75,
        inodesTotal: 244_000_000,
        inodesUsed: 1_200_000,
        inodesUsedPct: 0.49,
      },
    ],
  },
});
