import { z } from "zod";
import { duration } from "@lag/config";
import { Slug } from "@lag/contracts";
import { singleSection } from "@lag/worker";

/** MEDIA_LAG's section (`media:`). */
export const MediaConfig = z.strictObject({
  /** How often MEDIA_LAG asks IT_LAG where there is room (logged). */
  storageCheckInterval: duration.default(300_000),
  /** The backup plan whose paths hold the libraries: a finished import's folder is backed up as an ad-hoc run of it. None: no content backups. */
  backupPlan: Slug.optional(),
  /** How long an import's reservation is asked for (IT_LAG caps it at it.storage.maxReservationTtl). */
  reservationTtl: duration.default(24 * 3_600_000),
  /** The level of a low-space warning at which imports on that volume are paused (`low`, or only at `critical`). */
  pauseAt: z.enum(["low", "critical"]).default("low"),
  /** How often a content backup that could not start (another run of the plan was under way) is asked again. */
  retryEvery: duration.default(60_000),
});
export type MediaConfig = z.infer<typeof MediaConfig>;

export const mediaConfig = singleSection("media", MediaConfig);
