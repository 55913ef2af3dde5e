import { z } from "zod";
import { compileCron } from "@lag/async";

/** A cron expression in a time zone, checked at load (a bad field or zone is a configuration error naming it). */
export function cronSchedule(defaultCron: string, defaultZone = "Europe/Madrid") {
  return z
    .strictObject({ cron: z.string().default(defaultCron), timezone: z.string().default(defaultZone) })
    .prefault({})
    .superRefine((s, ctx) => cronIssue(s.cron, s.timezone, ctx, ["cron"]));
}

/** Adds an issue at `path` when the expression does not compile in that zone. */
export function cronIssue(cron: string, timezone: string, ctx: z.RefinementCtx, path: (string | number)[]): void {
  try {
    compileCron(cron, timezone);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message, path });
  }
}
