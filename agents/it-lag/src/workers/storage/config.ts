import { z } from "zod";
import { duration } from "@lag/config";
import { HostName, Percent } from "@lag/contracts";

const HOUR = 3_600_000;

const AbsolutePath = z.string().startsWith("/", "must be an absolute path");

/** A volume's own thresholds and reserve floor, over the section's defaults. */
export const VolumeSettings = z.strictObject({
  /** Default: the storage worker's own host. */
  host: HostName.optional(),
  mount: AbsolutePath,
  low: Percent.optional(),
  critical: Percent.optional(),
  keepFreePct: Percent.optional(),
});

export const StorageConfig = z
  .strictObject({
    /** The host whose library folders this worker walks (and the default host of a reservation). Default: `it.monitor.host`. */
    host: HostName.optional(),
    /** How long a reservation holds unless released first, and the longest one may ask for. */
    reservationTtl: duration.default(24 * HOUR),
    maxReservationTtl: duration.default(7 * 24 * HOUR),
    /** A reservation is granted only if this share of the volume stays free after it. */
    keepFreePct: Percent.default(5),
    /** Used % at which MEDIA_LAG is warned (low) and told to stop (critical); per volume in `volumes`. */
    thresholds: z.strictObject({ low: Percent.default(90), critical: Percent.default(95) }).prefault({}),
    /** Points below a threshold a volume must come back to before it counts as back (no flapping at the edge). */
    hysteresisPct: z.number().min(0).max(20).default(2),
    volumes: z.array(VolumeSettings).default([]),
    /** Library folders (Movies, Series, Music, Photos …) walked in the background for their usage. */
    libraries: z.array(z.strictObject({ name: z.string().min(1), path: AbsolutePath })).default([]),
    /** How old a library's figures may get before it is walked again. */
    libraryRefresh: duration.default(6 * HOUR),
    /** The share of one CPU a walk may take (it sleeps the rest). */
    walkCpuShare: z.number().gt(0).max(1).default(0.25),
    /** How often expired reservations are closed. */
    expireEvery: duration.default(60_000),
  })
  .superRefine((c, ctx) => {
    if (c.thresholds.low >= c.thresholds.critical)
      ctx.addIssue({ code: "custom", path: ["thresholds", "low"], message: `must be below critical (${c.thresholds.critical})` });
    c.volumes.forEach((v, i) => {
      const low = v.low ?? c.thresholds.low;
      const critical = v.critical ?? c.thresholds.critical;
      if (low >= critical) ctx.addIssue({ code: "custom", path: ["volumes", i, "low"], message: `must be below critical (${critical})` });
    });
    const names = new Set<string>();
    c.libraries.forEach((l, i) => {
      if (names.has(l.name)) ctx.addIssue({ code: "custom", path: ["libraries", i, "name"], message: `${l.name} is given twice` });
      names.add(l.name);
    });
    if (c.reservationTtl > c.maxReservationTtl)
      ctx.addIssue({ code: "custom", path: ["reservationTtl"], message: "must not pass maxReservationTtl" });
  });
export type StorageConfig = z.infer<typeof StorageConfig>;
