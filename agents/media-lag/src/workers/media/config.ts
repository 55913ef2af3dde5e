import { z } from "zod";
import { duration } from "@lag/config";
import { singleSection } from "@lag/worker";

/** MEDIA_LAG's section (`media:`). */
export const MediaConfig = z.strictObject({
  /** How often MEDIA_LAG asks IT_LAG where there is room. */
  storageCheckInterval: duration.default(300_000),
});

export const mediaConfig = singleSection("media", MediaConfig);
