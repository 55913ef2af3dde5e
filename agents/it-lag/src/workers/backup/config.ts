import { z } from "zod";
import { cronIssue, cronSchedule, duration, SecretRef } from "@lag/config";
import { HostName, Slug } from "@lag/contracts";
import { DockerConnection } from "../../docker/connection.ts";

/** Where a repository is and how it is opened; its password by file or variable, never in the file itself. */
export const RepositoryConfig = z.strictObject({
  /** Any restic repository: a path (`/mnt/backup/restic`), `sftp:nas:/backup/restic`, `rest:http://nas:8000/kronos/`. */
  url: z.string().min(1),
  password: SecretRef,
  /** Variables the backend needs (`AWS_ACCESS_KEY_ID: LAG_S3_KEY`): restic's name → the variable here holding it. */
  env: z.record(z.string(), z.string()).default({}),
  /** How long a network repository's server may take to accept a connection before it counts as unreachable (restic alone would retry for 15 min). */
  probeTimeout: duration.default(60_000),
  /**
   * restic's extended options (`-o key=value`): `sftp.command: "ssh -p 2222 -i /etc/lag/secrets/nas_key
   * backup@nas -s sftp"`, `rest.connections: "4"`. They are on restic's command line: never a secret here.
   */
  options: z.record(z.string().regex(/^[a-z0-9]+\.[a-z0-9._-]+$/, "a restic option: backend.name"), z.string()).default({}),
});
export type RepositoryConfig = z.infer<typeof RepositoryConfig>;

export const Retention = z
  .strictObject({
    last: z.number().int().positive().optional(),
    hourly: z.number().int().positive().optional(),
    daily: z.number().int().positive().optional(),
    weekly: z.number().int().positive().optional(),
    monthly: z.number().int().positive().optional(),
    yearly: z.number().int().positive().optional(),
  })
  .default({ daily: 7, weekly: 4, monthly: 6 });

/** A database dump taken inside a running container and stored straight into the snapshot (restic --stdin-from-command). */
export const DumpHook = z.strictObject({
  container: z.string().min(1),
  /** Run with `docker exec`: `[pg_dumpall, -U, postgres]`. Its exit code decides: a failing dump fails the backup. */
  command: z.array(z.string().min(1)).min(1),
  /** The name it has in the snapshot: `immich.sql`. */
  filename: z.string().regex(/^[^/]+$/, "a file name, no slashes"),
  timeout: duration.default(30 * 60_000),
  /**
   * How a drill proves the dump loads: a throw-away container of `image` runs `command` with the
   * restored dump at `/drill/<filename>`; exit 0 passes, and its output is kept with the result.
   */
  drill: z
    .strictObject({ image: z.string().min(1), command: z.array(z.string().min(1)).min(1), timeout: duration.default(10 * 60_000) })
    .optional(),
});

export const Hooks = z.strictObject({
  /** Stopped before the backup and always started again after it, also when anything failed. */
  stop: z.array(z.string().min(1)).default([]),
  /** How long stopping or starting a container may take. */
  timeout: duration.default(120_000),
  /** A container still running this long after its stop signal is killed; by default its own stop timeout (`docker run --stop-timeout`, 10 s unless set). */
  stopGrace: duration.optional(),
  dump: DumpHook.optional(),
});

const Schedule = cronSchedule("0 3 * * *");

export const PlanConfig = z
  .strictObject({
    name: Slug,
    /** What is backed up; may be empty when the plan is only a dump. */
    paths: z.array(z.string().startsWith("/", "an absolute path")).default([]),
    exclude: z.array(z.string()).default([]),
    tags: z.array(z.string().regex(/^[^,]+$/, "no commas")).default([]),
    /** Names from `it.backup.repositories`; every one gets the snapshot (3-2-1: a local one and an off-site one). */
    repositories: z.array(Slug).min(1),
    schedule: Schedule,
    /** No successful run for this long is an alert (backup-missed), across worker downtime too. Default: the schedule's period + 25 %. */
    window: duration.optional(),
    retention: Retention,
    hooks: Hooks.prefault({}),
    /**
     * An outside dead-man's switch (Healthchecks.io style): `<url>/start` when a run starts, `<url>`
     * when it succeeds, `<url>/fail` when it fails — so a Kronos that is down entirely is noticed too.
     */
    ping: z.url().optional(),
    /** A drill of a plan with more files than this restores a random sample of this many. */
    drillSample: z.number().int().positive().default(500),
  })
  .refine((p) => p.paths.length > 0 || p.hooks.dump !== undefined, {
    message: "a plan needs paths, a dump hook, or both",
    path: ["paths"],
  });
export type PlanConfig = z.infer<typeof PlanConfig>;

export const BackupConfig = z
  .strictObject({
    /** This machine's name in snapshots and alerts. Default: `it.monitor.host`. */
    host: HostName.optional(),
    /** The restic binary; default: LAG_RESTIC, then `.tools/bin/restic`, then PATH. */
    restic: z.string().optional(),
    /** The Docker engine the hooks stop, start and dump in (the docker CLI runs a dump: LAG_DOCKER, then PATH). */
    docker: DockerConnection.prefault({}),
    repositories: z.record(Slug, RepositoryConfig).default({}),
    plans: z.array(PlanConfig).default([]),
    /** How often a running backup's progress is published. */
    progressInterval: duration.default(1_000),
    /** restic's cache; under the data dir by default. */
    cacheDir: z.string().optional(),
    /**
     * The rotating check: each run reads the next slice `k/slices` of every repository's data, so
     * all of it is read once per cycle; `metadata` is the weekly check of the structure only.
     */
    verify: z
      .strictObject({
        cron: z.string().default("30 4 * * *"),
        slices: z.number().int().min(1).max(1000).default(7),
        metadata: z.string().default("30 5 * * 0"),
        timezone: z.string().default("Europe/Madrid"),
      })
      .prefault({}),
    /** Restore drills: the latest snapshot of every plan restored into a temporary folder and compared. */
    drill: z
      .strictObject({
        cron: z.string().default("0 6 * * 6"),
        timezone: z.string().default("Europe/Madrid"),
        /** Where drills restore (deleted afterwards); `<dataDir>/drills` by default. */
        dir: z.string().startsWith("/", "an absolute path").optional(),
      })
      .prefault({}),
    /** Anomalies: a run far smaller or faster than the median of the last `history` good runs. */
    anomaly: z
      .strictObject({
        history: z.number().int().min(3).default(10),
        /** A run processing less than this fraction of the median's bytes is an anomaly (an empty dump). */
        smallerThan: z.number().min(0).max(1).default(0.5),
        /** A run taking less than this fraction of the median's time while adding nothing is an anomaly. */
        fasterThan: z.number().min(0).max(1).default(0.1),
      })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    for (const key of ["cron", "metadata"] as const) cronIssue(c.verify[key], c.verify.timezone, ctx, ["verify", key]);
    cronIssue(c.drill.cron, c.drill.timezone, ctx, ["drill", "cron"]);
    const names = new Set<string>();
    c.plans.forEach((p, i) => {
      if (names.has(p.name)) ctx.addIssue({ code: "custom", message: `a second plan named ${p.name}`, path: ["plans", i, "name"] });
      names.add(p.name);
      p.repositories.forEach((r, j) => {
        if (!(r in c.repositories))
          ctx.addIssue({
            code: "custom",
            message: `no repository ${r} in it.backup.repositories (there: ${Object.keys(c.repositories).join(", ") || "none"})`,
            path: ["plans", i, "repositories", j],
          });
      });
    });
  });
export type BackupConfig = z.infer<typeof BackupConfig>;
