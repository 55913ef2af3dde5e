import { z } from "zod";
import { defineEvent, defineService, endpoint } from "../descriptors.ts";
import { backupsStream } from "../streams.ts";
import { Bytes, IsoTime, Slug } from "./common.ts";

/**
 * IT_LAG's backups: restic plans run on schedules into one or more repositories, kept by a
 * retention policy, verified a slice at a time. Every step is an event; failures are alerts
 * (`backupAlert`, the alert contract) and so become incidents.
 */

export const RunId = z.string().regex(/^run-[a-z0-9-]+$/);
const base = { plan: Slug, runId: RunId, at: IsoTime };

export const BackupEvent = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("started"),
    ...base,
    repositories: z.array(Slug),
    /** request: an ad-hoc run of some of the plan's folders, asked for by another agent (MEDIA_LAG's content backups). */
    trigger: z.enum(["schedule", "manual", "missed", "request"]),
    /** An ad-hoc run's folders (the plan's own otherwise), and who asked, why. */
    paths: z.array(z.string()).optional(),
    requestedBy: z.string().optional(),
    reason: z.string().optional(),
  }),
  z.object({
    kind: z.literal("completed"),
    ...base,
    repository: Slug,
    /** A plan with paths and a dump makes two snapshots a run: the files, and the dump (`--stdin-from-command`). */
    part: z.enum(["files", "dump"]),
    snapshotId: z.string(),
    filesNew: z.number().int(),
    filesChanged: z.number().int(),
    filesProcessed: z.number().int(),
    bytesAdded: Bytes,
    bytesProcessed: Bytes,
    durationMs: z.number().nonnegative(),
    /** Files restic could not read (exit 3): the snapshot was made without them. */
    unreadable: z.array(z.string()),
  }),
  z.object({
    kind: z.literal("failed"),
    ...base,
    repository: Slug.optional(),
    step: z.enum(["hook", "lock", "backup", "dump", "forget", "prune", "interrupted", "check", "restore", "drill"]),
    error: z.string(),
  }),
  z.object({
    kind: z.literal("finished"),
    ...base,
    /** ok: every repository; partial: some repositories, or some files unreadable; failed: none; interrupted: the worker stopped. */
    status: z.enum(["ok", "partial", "failed", "interrupted"]),
    durationMs: z.number().nonnegative(),
    error: z.string().optional(),
  }),
  z.object({ kind: z.literal("pruned"), ...base, repository: Slug, kept: z.number().int(), removed: z.number().int() }),
  z.object({
    kind: z.literal("verified"),
    ...base,
    repository: Slug,
    /** `data`: the slice `subset` of the pack files read back; `metadata`: the structure only. */
    check: z.enum(["data", "metadata"]),
    subset: z.string().optional(),
    ok: z.boolean(),
    errors: z.number().int(),
    brokenPacks: z.array(z.string()),
    durationMs: z.number().nonnegative(),
    error: z.string().optional(),
    /** Where the rotation stands after this check: slices read this cycle out of `of`. */
    cycle: z.object({ done: z.number().int(), of: z.number().int() }).optional(),
  }),
  z.object({
    kind: z.literal("restored"),
    ...base,
    repository: Slug,
    snapshotId: z.string(),
    target: z.string(),
    files: z.number().int(),
    bytes: Bytes,
    durationMs: z.number().nonnegative(),
  }),
  z.object({
    kind: z.literal("drill"),
    ...base,
    repository: Slug,
    snapshotId: z.string(),
    passed: z.boolean(),
    /** Files restored and verified against the snapshot's content hashes (SHA-256 of every chunk, `restic restore --verify`). */
    filesCompared: z.number().int(),
    /** Of them, read again with `restic dump` and their whole-file SHA-256 compared here, independently of restic's check. */
    filesDumped: z.number().int(),
    filesInSnapshot: z.number().int(),
    bytes: Bytes,
    /** The first files whose restored content differs or is missing. */
    mismatches: z.array(z.string()),
    durationMs: z.number().nonnegative(),
    /** The dump loaded into a throw-away container and queried, when the plan says how. */
    query: z.object({ ok: z.boolean(), output: z.string() }).optional(),
    error: z.string().optional(),
  }),
]);
export type BackupEvent = z.infer<typeof BackupEvent>;

export const backupEvent = defineEvent({
  type: "es.lagrieta.it.backup.v1",
  subject: "lag.it.backup.run.{kind}.{plan}",
  schema: BackupEvent,
  publisher: "it-backup",
  audience: "all",
  stream: backupsStream,
  tokens: (d) => ({ kind: d.kind, plan: d.plan }),
  description:
    "A step of a backup plan's life: started, completed (per repository and part: snapshot, files new/changed, bytes added, duration), failed (the step and why), pruned (retention applied), verified (a check), restored, drill (a restore drill's result).",
  example: {
    kind: "completed",
    plan: "immich",
    runId: "run-20261123-030000-immich-a1b2",
    at: "2026-11-23T03:04:10.000Z",
    repository: "local",
    part: "files",
    snapshotId: "b56ff509e2e4fb0b6b58fd24c91f477bff33c99bad7f23d6201f3e91a5322ad7",
    filesNew: 12,
    filesChanged: 3,
    filesProcessed: 48210,
    bytesAdded: 734_003_200,
    bytesProcessed: 412_316_860_416,
    durationMs: 250_000,
    unreadable: [],
  },
});

export const BackupProgress = z.object({
  plan: Slug,
  runId: RunId,
  repository: Slug,
  operation: z.enum(["backup", "restore", "drill"]),
  percent: z.number().min(0).max(100),
  filesDone: z.number().int().optional(),
  totalFiles: z.number().int().optional(),
  bytesDone: Bytes.optional(),
  totalBytes: Bytes.optional(),
  secondsRemaining: z.number().optional(),
});

export const backupProgress = defineEvent({
  type: "es.lagrieta.it.backup.progress.v1",
  subject: "lag.it.backup.progress.{plan}.{repository}",
  schema: BackupProgress,
  publisher: "it-backup",
  audience: "all",
  tokens: (d) => ({ plan: d.plan, repository: d.repository }),
  description: "How far a running backup, restore or drill is (from restic's JSON status), at most once a second; not kept.",
  example: {
    plan: "immich",
    runId: "run-20261123-030000-immich-a1b2",
    repository: "local",
    operation: "backup",
    percent: 42.5,
    filesDone: 20_000,
    totalFiles: 48_210,
    bytesDone: 175e9,
    totalBytes: 412e9,
    secondsRemaining: 140,
  },
});

/** A plan at a glance: when it last succeeded against its schedule. */
export const PlanStatus = z.object({
  plan: Slug,
  schedule: z.string(),
  repositories: z.array(
    z.object({ name: Slug, lastSuccess: IsoTime.optional(), lastSnapshot: z.string().optional(), lastError: z.string().optional() }),
  ),
  lastSuccess: IsoTime.optional(),
  nextRun: IsoTime.optional(),
  running: z.boolean(),
  /** The rotating data check: slices read this cycle out of N, and the last check of each kind. */
  verification: z.object({
    done: z.number().int(),
    of: z.number().int(),
    lastData: z.object({ at: IsoTime, ok: z.boolean() }).optional(),
    lastMetadata: z.object({ at: IsoTime, ok: z.boolean() }).optional(),
  }),
  lastDrill: z.object({ at: IsoTime, passed: z.boolean(), filesCompared: z.number().int() }).optional(),
  /** green: on schedule; amber: one run missed; red: past its window, or never succeeded. */
  rpo: z.enum(["green", "amber", "red"]),
  successRate30d: z.number().min(0).max(1).nullable(),
  /** The size trend: each good run of the last 30 days, oldest first — bytes read (files and dump) and added, in its largest repository. */
  sizes: z.array(z.object({ at: IsoTime, bytes: Bytes, added: Bytes })),
});
export type PlanStatus = z.infer<typeof PlanStatus>;

const planExample: PlanStatus = {
  plan: "immich",
  schedule: "0 3 * * * (Europe/Madrid)",
  repositories: [{ name: "local", lastSuccess: "2026-11-23T03:04:10.000Z", lastSnapshot: "b56ff509" }],
  lastSuccess: "2026-11-23T03:04:10.000Z",
  nextRun: "2026-11-24T02:00:00.000Z",
  running: false,
  verification: { done: 3, of: 7, lastData: { at: "2026-11-23T05:00:00.000Z", ok: true } },
  lastDrill: { at: "2026-11-22T06:00:00.000Z", passed: true, filesCompared: 200 },
  rpo: "green",
  successRate30d: 1,
  sizes: [{ at: "2026-11-23T03:04:10.000Z", bytes: 412_316_860_416, added: 734_003_200 }],
};

export const SnapshotInfo = z.object({
  id: z.string(),
  shortId: z.string(),
  time: IsoTime,
  paths: z.array(z.string()),
  tags: z.array(z.string()),
  host: z.string(),
});

const plan = z.strictObject({ plan: Slug });
const runRequest = z.strictObject({
  plan: Slug,
  /**
   * An ad-hoc run of only these folders (each inside one of the plan's paths): into the plan's
   * repositories, under its retention, without its hooks or dump; its snapshots are tagged `adhoc`.
   */
  paths: z.array(z.string().startsWith("/", "must be an absolute path")).min(1).optional(),
  reason: z.string().min(1).optional(),
});
const started = z.object({
  runId: RunId,
  started: z.boolean(),
  note: z.string(),
  /** Where it happens: one result event each (completed/verified/drill) is what to wait for. */
  repositories: z.array(Slug),
});

export const backupService = defineService({
  name: "it-backup",
  version: "0.1.0",
  description: "IT_LAG's backups: plans and their state, snapshots, run now, create repositories",
  server: "it-backup",
  callers: "all",
  endpoints: {
    list: endpoint({
      subject: "lag.it.backup.plans.list",
      request: z.strictObject({}),
      reply: z.object({ plans: z.array(PlanStatus) }),
      description: "Every plan with its last good backup per repository, its next run and its RPO colour.",
      example: { request: {}, reply: { plans: [planExample] } },
    }),
    snapshots: endpoint({
      subject: "lag.it.backup.plans.snapshots",
      request: z.strictObject({ plan: Slug, repository: Slug.optional() }),
      reply: z.object({ repositories: z.array(z.object({ name: Slug, snapshots: z.array(SnapshotInfo), error: z.string().optional() })) }),
      description: "A plan's snapshots in each of its repositories (or one), oldest first; a repository that cannot be read says why.",
      timeoutMs: 90_000,
      example: {
        request: { plan: "immich" },
        reply: {
          repositories: [
            {
              name: "local",
              snapshots: [
                {
                  id: "b56ff509e2e4fb0b6b58fd24c91f477bff33c99bad7f23d6201f3e91a5322ad7",
                  shortId: "b56ff509",
                  time: "2026-11-23T03:00:02.000Z",
                  paths: ["/mnt/storage/immich"],
                  tags: ["plan:immich"],
                  host: "kronos",
                },
              ],
            },
          ],
        },
      },
    }),
    run: endpoint({
      subject: "lag.it.backup.plans.run",
      request: runRequest,
      reply: started,
      description:
        "Starts a run of the plan now, or with `paths` an ad-hoc run of some of its folders (it goes on if the caller goes away; follow it on lag.it.backup.run.*.<plan> by its runId); `started` false when one is running already.",
      example: {
        request: { plan: "immich" },
        reply: { runId: "run-20261123-101500-immich-c3d4", started: true, note: "started", repositories: ["local", "nas"] },
      },
    }),
    init: endpoint({
      subject: "lag.it.backup.plans.init",
      request: plan,
      reply: z.object({ repositories: z.array(z.object({ name: Slug, created: z.boolean(), error: z.string().optional() })) }),
      description: "Creates the plan's repositories that do not exist yet.",
      // restic derives the key (scrypt) and writes the structure: seconds, more for a remote one.
      timeoutMs: 120_000,
      example: { request: { plan: "immich" }, reply: { repositories: [{ name: "local", created: true }] } },
    }),
    check: endpoint({
      subject: "lag.it.backup.plans.check",
      request: z.strictObject({ plan: Slug, metadata: z.boolean().default(false) }),
      reply: started,
      description:
        "Checks the plan's repositories now: the next slice of the rotating data check, or (`metadata`) the structure only; the result is a `verified` event.",
      example: {
        request: { plan: "immich", metadata: false },
        reply: { runId: "run-20261123-101500-immich-e5f6", started: true, note: "started", repositories: ["local", "nas"] },
      },
    }),
    restore: endpoint({
      subject: "lag.it.backup.plans.restore",
      request: z.strictObject({
        plan: Slug,
        repository: Slug.optional(),
        /** A snapshot id or its short form; the latest of the plan by default. */
        snapshot: z.string().min(1).optional(),
        /** Only these paths of the snapshot. */
        paths: z.array(z.string().startsWith("/")).default([]),
        target: z.string().startsWith("/", "an absolute path"),
      }),
      reply: started.extend({
        /** A restore over a path the plan backs up waits for CEO_LAG's approval: its request id. */
        approval: z.string().optional(),
      }),
      description:
        "Restores a snapshot into `target` (follow it on lag.it.backup.progress.<plan>.* and the `restored` event); over a live path it first asks CEO_LAG.",
      // Finding the snapshot opens the repository first.
      timeoutMs: 90_000,
      example: {
        request: { plan: "immich", target: "/tmp/restore-immich", paths: [] },
        reply: {
          runId: "run-20261123-101500-immich-a7b8",
          started: true,
          note: "restoring the latest snapshot from local",
          repositories: ["local"],
        },
      },
    }),
    drill: endpoint({
      subject: "lag.it.backup.plans.drill",
      request: plan,
      reply: started,
      description:
        "Runs the plan's restore drill now: restore into a temporary folder, compare every file's SHA-256; the result is a `drill` event.",
      example: {
        request: { plan: "immich" },
        reply: { runId: "run-20261123-101500-immich-c9d0", started: true, note: "started", repositories: ["local", "nas"] },
      },
    }),
  },
});
