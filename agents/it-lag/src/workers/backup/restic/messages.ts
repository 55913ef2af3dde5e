import { z } from "zod";

/**
 * What restic ≥ 0.18 prints with `--json`, one object a line, told apart by `message_type` (and for
 * `snapshots`/`forget`, one JSON document). Only the fields LAG reads are named; the rest pass.
 */

export const BackupStatus = z.looseObject({
  message_type: z.literal("status"),
  percent_done: z.number(),
  total_files: z.number().optional(),
  files_done: z.number().optional(),
  total_bytes: z.number().optional(),
  bytes_done: z.number().optional(),
  seconds_remaining: z.number().optional(),
  error_count: z.number().optional(),
});
export type BackupStatus = z.infer<typeof BackupStatus>;

export const BackupSummary = z.looseObject({
  message_type: z.literal("summary"),
  files_new: z.number(),
  files_changed: z.number(),
  files_unmodified: z.number(),
  data_added: z.number(),
  total_files_processed: z.number(),
  total_bytes_processed: z.number(),
  total_duration: z.number(),
  snapshot_id: z.string().optional(),
});
export type BackupSummary = z.infer<typeof BackupSummary>;

/** A file restic could not read (exit 3: the snapshot is made without it). */
export const BackupError = z.looseObject({
  message_type: z.literal("error"),
  error: z.looseObject({ message: z.string() }).optional(),
  during: z.string().optional(),
  item: z.string().optional(),
});

export const ExitError = z.looseObject({ message_type: z.literal("exit_error"), code: z.number(), message: z.string() });

export const RestoreStatus = z.looseObject({
  message_type: z.literal("status"),
  percent_done: z.number(),
  total_files: z.number().optional(),
  files_restored: z.number().optional(),
  total_bytes: z.number().optional(),
  bytes_restored: z.number().optional(),
  seconds_remaining: z.number().optional(),
});
export const RestoreSummary = z.looseObject({
  message_type: z.literal("summary"),
  total_files: z.number(),
  files_restored: z.number(),
  total_bytes: z.number(),
  bytes_restored: z.number(),
});

export const CheckSummary = z.looseObject({
  message_type: z.literal("summary"),
  num_errors: z.number(),
  broken_packs: z.array(z.string()).nullable().optional(),
  suggest_repair_index: z.boolean().optional(),
  suggest_prune: z.boolean().optional(),
});

export const Snapshot = z.looseObject({
  id: z.string(),
  short_id: z.string().optional(),
  time: z.string(),
  paths: z.array(z.string()),
  hostname: z.string().optional(),
  tags: z.array(z.string()).nullable().optional(),
  summary: z
    .looseObject({
      data_added: z.number().optional(),
      total_files_processed: z.number().optional(),
      total_bytes_processed: z.number().optional(),
    })
    .optional(),
});
export type Snapshot = z.infer<typeof Snapshot>;

export const ForgetGroup = z.looseObject({
  keep: z.array(Snapshot).nullable(),
  remove: z.array(Snapshot).nullable(),
});

/** One entry of `restic ls --json`: the first line is the snapshot, the rest its nodes. */
export const Node = z.looseObject({
  message_type: z.literal("node").optional(),
  struct_type: z.literal("node").optional(),
  type: z.string(),
  path: z.string(),
  size: z.number().optional(),
});
