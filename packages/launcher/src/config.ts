import { z } from "zod";
import { duration } from "@lag/config";
import { singleSection } from "@lag/worker";

export const LauncherConfig = z.strictObject({
  nats: z
    .strictObject({
      /** Start a local nats-server (dev config, JetStream under the data dir). Off to use `nats.servers`. */
      embedded: z.boolean().default(true),
      port: z.number().int().min(1).max(65535).default(4222),
      /** HTTP monitoring (/healthz, /varz, /jsz); 0 turns it off. */
      monitorPort: z.number().int().min(0).max(65535).default(8222),
      /**
       * With `embedded: false`, against an authenticated server or cluster: a folder with each
       * process's own credentials (`<process>` a password, `<process>.nk` an nkey seed, or
       * `<process>.creds`), so every process logs in as its own user.
       */
      credentials: z.string().startsWith("/", "an absolute path").optional(),
    })
    .prefault({}),
  /** Also start the example workers under examples/ (docs/adding-a-worker.md). */
  examples: z.boolean().default(false),
  /** Process names not to start (see `agents/*\/package.json` → lag.processes). */
  disabled: z.array(z.string()).default([]),
  restart: z
    .strictObject({
      initialDelay: duration.default(1_000),
      maxDelay: duration.default(30_000),
      /** A process that ran this long gets its back-off reset. */
      stableAfter: duration.default(60_000),
    })
    .prefault({}),
  /** How long a process may take to drain at shutdown before it is killed. */
  stopGrace: duration.default(15_000),
});
export type LauncherConfig = z.infer<typeof LauncherConfig>;

/** The launcher reads the common settings and its own section; the agents validate theirs. */
export const launcherConfig = singleSection("launcher", LauncherConfig);
