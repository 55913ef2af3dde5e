import { z } from "zod";
import { byteSize, cronIssue, duration, SecretRef } from "@lag/config";
import { HostName } from "@lag/contracts";
import { DockerConnection } from "../../docker/connection.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** When a task runs: every so often, or at the times of a cron expression (a quiet hour). */
function taskSchedule(defaults: { every: number } | { cron: string }) {
  return z
    .strictObject({
      enabled: z.boolean().default(true),
      every: duration.optional(),
      cron: z.string().optional(),
      timezone: z.string().default("Europe/Madrid"),
    })
    .superRefine((s, ctx) => {
      if (s.every !== undefined && s.cron !== undefined)
        ctx.addIssue({ code: "custom", path: ["cron"], message: "give every or cron, not both" });
      if (s.cron !== undefined) cronIssue(s.cron, s.timezone, ctx, ["cron"]);
    })
    .transform((s) => ({
      enabled: s.enabled,
      schedule:
        s.cron !== undefined
          ? { cron: s.cron, timezone: s.timezone }
          : s.every !== undefined
            ? { every: s.every }
            : "cron" in defaults
              ? { cron: defaults.cron, timezone: s.timezone }
              : { every: defaults.every },
    }));
}

/** How to reach one registry: credentials for its token service (Docker Hub, GHCR, a private one), plain HTTP for a local one. */
export const RegistryAccess = z.strictObject({
  username: z.string().min(1).optional(),
  password: SecretRef.optional(),
  /** Plain HTTP (loopback registries are reached over HTTP anyway). */
  insecure: z.boolean().default(false),
});

export const MaintenanceConfig = z
  .strictObject({
    /** The host the tasks look after (its alerts carry it). Default: `it.monitor.host`. */
    host: HostName.optional(),
    docker: DockerConnection.prefault({}),
    /** How long an approval (a Docker log truncation) waits for CEO_LAG. */
    approvalTimeout: duration.default(HOUR),
    images: z
      .strictObject({
        run: taskSchedule({ every: 6 * HOUR }).prefault({}),
        /** Also report newer semver tags than the running one (`1.4.2` → `1.5.0`); per container with the label `lag.maintenance.semver=true|false`. */
        semver: z.boolean().default(false),
        /** While an update stays pending, it is reported again this often. */
        remindEvery: duration.default(7 * DAY),
        /** An update pending longer than this is a low alert. */
        alertAfter: duration.default(30 * DAY),
        /** By registry host (`ghcr.io`, `registry-1.docker.io`, `127.0.0.1:5000`). */
        registries: z.record(z.string().min(1), RegistryAccess).default({}),
        timeout: duration.default(15_000),
      })
      .prefault({}),
    logs: z
      .strictObject({
        run: taskSchedule({ cron: "15 4 * * *" }).prefault({}),
        /** LAG's own logs (`<dataDir>/logs`): rotated files older than `maxAge` go, and the oldest while the folder is over `maxBytes`. */
        lag: z.strictObject({ maxAge: duration.default(30 * DAY), maxBytes: byteSize.default(1e9) }).prefault({}),
        /** Other folders: files matching `match` (a suffix or a `*` pattern) by age, then size. */
        paths: z
          .array(
            z.strictObject({
              path: z.string().startsWith("/", "must be an absolute path"),
              match: z.string().default("*.log*"),
              maxAge: duration.optional(),
              maxBytes: byteSize.optional(),
            }),
          )
          .default([]),
      })
      .prefault({}),
    dockerLogs: z
      .strictObject({
        run: taskSchedule({ every: HOUR }).prefault({}),
        /** A container's json log past this is an alert (truncated once approved: lag maintenance truncate). */
        warnAt: byteSize.default(1e9),
      })
      .prefault({}),
    sqlite: z
      .strictObject({
        run: taskSchedule({ cron: "30 4 * * *" }).prefault({}),
        /** VACUUM a database when its free pages pass this share of its pages. */
        vacuumAtFreePct: z.number().min(0).max(100).default(20),
      })
      .prefault({}),
    os: z
      .strictObject({
        run: taskSchedule({ every: 6 * HOUR }).prefault({}),
        /** What lists the pending upgrades (simulated: nothing is installed). */
        command: z.array(z.string().min(1)).min(1).default(["apt-get", "-s", "-o", "Debug::NoLocking=1", "dist-upgrade"]),
        /** Written by Debian's packages when a reboot is needed (its `.pkgs` beside it names them). */
        rebootRequiredFile: z.string().default("/var/run/reboot-required"),
        /** A reboot required for longer than this is an alert. */
        rebootAlertAfter: duration.default(7 * DAY),
      })
      .prefault({}),
    logins: z
      .strictObject({
        run: taskSchedule({ every: HOUR }).prefault({}),
        /** journal: `journalctl` for sshd; file: an auth.log; auto: the file when it exists (rsyslog writes it), else the journal. */
        source: z.enum(["auto", "journal", "file"]).default("auto"),
        file: z.string().default("/var/log/auth.log"),
        journalctl: z.array(z.string().min(1)).min(1).default(["journalctl"]),
        windowHours: z.number().positive().default(24),
        /** Failed logins in the window at which a medium alert fires. */
        alertAt: z.number().int().positive().default(100),
      })
      .prefault({}),
  })
  .superRefine((c, ctx) => {
    for (const [host, r] of Object.entries(c.images.registries))
      if ((r.username === undefined) !== (r.password === undefined))
        ctx.addIssue({ code: "custom", path: ["images", "registries", host, "password"], message: "give username and password together" });
  });
export type MaintenanceConfig = z.infer<typeof MaintenanceConfig>;
