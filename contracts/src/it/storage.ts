import { z } from "zod";
import { defineService, endpoint } from "../descriptors.ts";
import { Bytes, HostName, IsoTime, Percent } from "./common.ts";

export const StorageQuery = z
  .object({
    /** Only this host's volumes. */
    host: HostName.optional(),
    /** Only the volume holding this path (longest mount prefix), e.g. /mnt/storage/photos. */
    path: z.string().startsWith("/", "must be an absolute path").optional(),
    /** Only volumes with at least this much free space ("where do 300 GB fit?"). */
    minFreeBytes: Bytes.optional(),
  })
  .strict();
export type StorageQuery = z.infer<typeof StorageQuery>;

export const Volume = z.object({
  host: HostName,
  mount: z.string(),
  role: z.string().optional(),
  fsType: z.string(),
  sizeBytes: Bytes,
  usedBytes: Bytes,
  freeBytes: Bytes,
  usedPct: Percent,
  /** When the numbers were measured on that host. */
  sampledAt: IsoTime,
});
export type Volume = z.infer<typeof Volume>;

export const StorageReport = z.object({
  time: IsoTime,
  volumes: z.array(Volume),
});
export type StorageReport = z.infer<typeof StorageReport>;

const GiB = 1024 ** 3;

export const storageService = defineService({
  name: "it-storage",
  version: "0.1.0",
  description: "Free and used space per volume on every monitored host",
  server: "it-monitor",
  callers: "all",
  endpoints: {
    query: endpoint({
      subject: "lag.it.storage.query",
      request: StorageQuery,
      reply: StorageReport,
      description:
        "Free/used space per mounted volume of every monitored host, from the latest samples; " +
        "filter by host, by a path (the volume holding it) or by the free space needed.",
      example: {
        request: { path: "/mnt/storage/photos" },
        reply: {
          time: "2026-11-23T06:00:01.000Z",
          volumes: [
            {
              host: "kronos",
              mount: "/mnt/storage",
              role: "storage",
              fsType: "ext4",
              sizeBytes: 4000 * GiB,
              usedBytes: 3000 * GiB,
              freeBytes: 1000 * GiB,
              usedPct: 75,
              sampledAt: "2026-11-23T06:00:00.000Z",
            },
          ],
        },
      },
    }),
  },
});
