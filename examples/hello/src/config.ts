import { z } from "zod";
import { agentConfig } from "@lag/worker";

/** `example.hello` in the configuration file; every key has a default. */
export const HelloConfig = z.strictObject({
  /** Who is greeted (a subject token). */
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, "lower-case letters, digits, _ and - only")
    .default("kronos"),
  text: z.string().min(1).default("good morning"),
  /** When: a cron expression read in `timezone`. */
  cron: z.string().default("0 7 * * *"),
  timezone: z.string().default("Europe/Madrid"),
});

/** The example agent's section: one sub-section per worker, as `it:` has `monitor:`. */
export const exampleConfig = agentConfig("example", { hello: HelloConfig });
