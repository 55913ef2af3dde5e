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
