import { z } from "zod";
import { approvalDecided } from "../ceo/approvals.ts";
import { defineConsumer, defineEvent, defineService, endpoint } from "../descriptors.ts";
import { approvalsStream, maintenanceStream } from "../streams.ts";
import { Bytes, formatBytes, HostName, IsoTime } from "./common.ts";

/**
 * IT_LAG's routine maintenance, each task on its own schedule: container image updates against
 * the registry, log clean-up, Docker json log sizes, SQLite optimisation, pending OS updates and
 * reboot, failed SSH logins. Results are events; thresholds are alerts (`maintenanceAlert`).
 */

export const MaintenanceTask = z.enum(["image-updates", "log-cleanup", "docker-logs", "sqlite", "os-updates", "failed-logins"]);
export type MaintenanceTask = z.infer<typeof MaintenanceTask>;

/** One running container's image against its registry. */
export const ImageCheck = z.object({
  container: z.string(),
  /** As the container was created from it: `ghcr.io/immich-app/immich-server:v1.120.0`. */
  image: z.string(),
  registry: z.string().optional(),
  repository: z.string().optional(),
  tag: z.string().optional(),
  /** current: the registry's digest for the tag is the running image's; update: it moved; unknown: no way to tell (a local image, a digest pin); error: the registry could not be asked. */
  state: z.enum(["current", "update", "unknown", "error"]),
  /** The running image's digests (RepoDigests). */
  localDigests: z.array(z.string()),
  /** The registry's digest for the tag now (of the manifest list, when it is one). */
  remoteDigest: z.string().optional(),
  /** The platform picked in a manifest list, and its digest. */
  platform: z.string().optional(),
  platformDigest: z.string().optional(),
  /** Since when the registry has had something newer for this container. */
  pendingSince: IsoTime.optional(),
  /** With semver checks on: tags newer than the running one, newest first. */
  newerTags: z.array(z.string()).optional(),
  note: z.string().optional(),
});
export type ImageCheck = z.infer<typeof ImageCheck>;

export const CleanedPath = z.object({
  path: z.string(),
  removed: z.number().int().nonnegative(),
  bytesFreed: Bytes,
  kept: z.number().int().nonnegative(),
  keptBytes: Bytes,
  errors: z.array(z.string()),
});
export type CleanedPath = z.infer<typeof CleanedPath>;

export const DatabaseFigures = z.object({
  file: z.string(),
  bytesBefore: Bytes,
  bytesAfter: Bytes,
  walBytesBefore: Bytes,
  walBytesAfter: Bytes,
  pages: z.number().int().nonnegative(),
  freePagesBefore: z.number().int().nonnegative(),
  freePagesAfter: z.number().int().nonnegative(),
  optimized: z.boolean(),
  checkpointed: z.boolean(),
  vacuumed: z.boolean(),
  durationMs: z.number().nonnegative(),
  error: z.string().optional(),
});
export type DatabaseFigures = z.infer<typeof DatabaseFigures>;

export const PendingPackage = z.object({
  name: z.string(),
  from: z.string().optional(),
  to: z.string(),
  origin: z.string(),
  security: z.boolean(),
});
export type PendingPackage = z.infer<typeof PendingPackage>;

export const LoginSource = z.object({ address: z.string(), count: z.number().int().positive(), users: z.array(z.string()), last: IsoTime });
export type LoginSource = z.infer<typeof LoginSource>;

const base = { at: IsoTime, host: HostName, durationMs: z.number().nonnegative(), error: z.string().optional() };

export const MaintenanceResult = z.discriminatedUnion("task", [
  z.object({ task: z.literal("image-updates"), ...base, containers: z.array(ImageCheck), pending: z.number().int().nonnegative() }),
  z.object({
    task: z.literal("log-cleanup"),
    ...base,
    paths: z.array(CleanedPath),
    removed: z.number().int().nonnegative(),
    bytesFreed: Bytes,
  }),
  z.object({
    task: z.literal("docker-logs"),
    ...base,
    containers: z.array(z.object({ container: z.string(), logPath: z.string(), bytes: Bytes })),
    totalBytes: Bytes,
    /** Past it.maintenance.dockerLogs.warnAt. */
    over: z.array(z.string()),
  }),
  z.object({
    task: z.literal("sqlite"),
    ...base,
    databases: z.array(DatabaseFigures),
    bytesBefore: Bytes,
    bytesAfter: Bytes,
  }),
  z.object({
    task: z.literal("os-updates"),
    ...base,
    pending: z.number().int().nonnegative(),
    security: z.number().int().nonnegative(),
    /** The first 100, security ones first. */
    packages: z.array(PendingPackage),
    rebootRequired: z.boolean(),
    rebootPackages: z.array(z.string()),
  }),
  z.object({
    task: z.literal("failed-logins"),
    ...base,
    /** Where they were read: the systemd journal, or a log file. */
    source: z.string(),
    windowHours: z.number().positive(),
    total: z.number().int().nonnegative(),
    /** Source addresses, most attempts first (the first 10). */
    top: z.array(LoginSource),
    addresses: z.number().int().nonnegative(),
  }),
]);
export type MaintenanceResult = z.infer<typeof MaintenanceResult>;

/** One line of a result, for logs, `lag maintenance` and the daily report. */
export function maintenanceSummary(r: MaintenanceResult): string {
  if (r.error) return `failed: ${r.error}`;
  switch (r.task) {
    case "image-updates":
      return r.pending === 0
        ? `${r.containers.length} containers, all current`
        : `${r.pending} of ${r.containers.length} containers have an update pending`;
    case "log-cleanup":
      return `${r.removed} log files removed, ${formatBytes(r.bytesFreed)} freed`;
    case "docker-logs":
      return `${formatBytes(r.totalBytes)} in ${r.containers.length} container logs${r.over.length ? `; too big: ${r.over.join(", ")}` : ""}`;
    case "sqlite":
      return `${r.databases.length} databases, ${formatBytes(r.bytesBefore)} → ${formatBytes(r.bytesAfter)}${r.databases.some((d) => d.vacuumed) ? ` (vacuumed: ${r.databases.filter((d) => d.vacuumed).length})` : ""}`;
    case "os-updates":
      return `${r.pending} updates pending (${r.security} security)${r.rebootRequired ? ", reboot required" : ""}`;
    case "failed-logins":
      return `${r.total} failed SSH logins in ${r.windowHours} h from ${r.addresses} addresses${r.top[0] ? ` (most: ${r.top[0].address}, ${r.top[0].count})` : ""}`;
  }
}

export const maintenanceResult = defineEvent({
  type: "es.lagrieta.it.maintenance.v1",
  subject: "lag.it.maintenance.result.{task}.{host}",
  schema: MaintenanceResult,
  publisher: "it-maintenance",
  audience: "all",
  stream: maintenanceStream,
  tokens: (d) => ({ task: d.task, host: d.host }),
  description:
    "A maintenance task's run and its figures: image digests against the registry, logs removed and bytes freed, Docker json log sizes, SQLite sizes before/after, pending OS updates (security apart) and reboot, failed SSH logins per source address.",
  example: {
    task: "os-updates",
    at: "2026-11-23T05:00:00.000Z",
    host: "kronos",
    durationMs: 1_840,
    pending: 3,
    security: 1,
    packages: [
      { name: "openssl", from: "3.0.15-1~deb12u1", to: "3.0.17-1~deb12u2", origin: "Debian-Security", security: true },
      { name: "tzdata", from: "2025a-0+deb12u1", to: "2025b-0+deb12u1", origin: "Debian", security: false },
    ],
    rebootRequired: true,
    rebootPackages: ["linux-image-6.1.0-28-amd64"],
  },
});

export const ImageUpdateEvent = ImageCheck.extend({
  at: IsoTime,
  host: HostName,
  /** false: first seen; true: a reminder while it stays pending (it.maintenance.images.remindEvery). */
  reminder: z.boolean(),
});

export const imageUpdate = defineEvent({
  type: "es.lagrieta.it.maintenance.image-update.v1",
  subject: "lag.it.maintenance.image-update.{host}.{container}",
  schema: ImageUpdateEvent,
  publisher: "it-maintenance",
  audience: "all",
  stream: maintenanceStream,
  tokens: (d) => ({ host: d.host, container: d.container }),
  description:
    "A running container's image has a newer digest in its registry for its tag (or newer semver tags): once when first seen, then as a reminder while it stays pending. Nothing is updated by LAG.",
  example: {
    at: "2026-11-23T05:00:00.000Z",
    host: "kronos",
    reminder: false,
    container: "immich-server",
    image: "ghcr.io/immich-app/immich-server:release",
    registry: "ghcr.io",
    repository: "immich-app/immich-server",
    tag: "release",
    state: "update",
    localDigests: ["ghcr.io/immich-app/immich-server@sha256:1f3b0c6e4a1b3d5f7e9a0b2c4d6e8f0a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e"],
    remoteDigest: "sha256:9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d",
    platform: "linux/amd64",
    platformDigest: "sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
    pendingSince: "2026-11-23T05:00:00.000Z",
  },
});

const TaskStatus = z.object({
  task: MaintenanceTask,
  enabled: z.boolean(),
  /** `every 6h` or the cron expression. */
  schedule: z.string(),
  lastRun: MaintenanceResult.optional(),
});

export const maintenanceService = defineService({
  name: "it-maintenance",
  version: "0.1.0",
  description: "IT_LAG's maintenance: each task's last result and schedule, run one now, truncate a Docker log (approved first)",
  server: "it-maintenance",
  callers: "all",
  endpoints: {
    status: endpoint({
      subject: "lag.it.maintenance.status",
      request: z.strictObject({}),
      reply: z.object({ host: HostName, tasks: z.array(TaskStatus) }),
      description: "Every task with its schedule and its last result.",
      example: {
        request: {},
        reply: { host: "kronos", tasks: [{ task: "os-updates", enabled: true, schedule: "every 6h", lastRun: maintenanceResult.example }] },
      },
    }),
    run: endpoint({
      subject: "lag.it.maintenance.run",
      request: z.strictObject({ task: MaintenanceTask }),
      reply: MaintenanceResult,
      description: "Runs one task now and answers with its result (also published as its event).",
      timeoutMs: 300_000,
      example: { request: { task: "os-updates" }, reply: maintenanceResult.example },
    }),
    truncate: endpoint({
      subject: "lag.it.maintenance.truncate",
      request: z.strictObject({ container: z.string().min(1) }),
      reply: z.object({ requestId: z.string(), container: z.string(), bytes: Bytes, note: z.string() }),
      description: "Asks CEO_LAG to approve emptying a container's Docker json log; it is truncated once approved.",
      example: {
        request: { container: "immich-server" },
        reply: { requestId: "5d1c7d7e-8a43-4b0e-9f1e-2f6f0f1c2b3a", container: "immich-server", bytes: 8.2e9, note: "asked CEO_LAG" },
      },
    }),
  },
});

export const maintenanceDecisions = defineConsumer({
  durable: "it-maintenance-decisions",
  stream: approvalsStream,
  principal: "it-maintenance",
  events: [approvalDecided],
  description: "CEO_LAG's decisions on it-maintenance's requests (a Docker log is truncated only once approved)",
  maxDeliver: 5,
  ackWait: 60_000,
});
