import { z } from "zod";
import { defineConsumer, defineEvent, defineService, endpoint } from "../descriptors.ts";
import { backupEvent, RunId } from "../it/backups.ts";
import { Bytes, HostName, IsoTime, Slug } from "../it/common.ts";
import { ReservationId, storageSpace } from "../it/storage.ts";
import { backupsStream, mediaStream, storageStream } from "../streams.ts";

/**
 * MEDIA_LAG's imports: each one writes into a library folder on space IT_LAG reserved for it, is
 * paused while that volume is short of space, gives the space back when done, and has its folder
 * backed up by IT_LAG's backup worker.
 */

export const ImportId = z.string().regex(/^imp-[a-z0-9-]+$/, "an import id (imp-…)");

/** reserving → importing ⇄ paused → backing-up → done; refused, cancelled and failed end it. */
export const ImportState = z.enum(["reserving", "importing", "paused", "backing-up", "done", "refused", "cancelled", "failed"]);
export type ImportState = z.infer<typeof ImportState>;

export const ImportBackup = z.object({
  plan: Slug,
  /** The backup run, once the backup worker took it. */
  runId: RunId.optional(),
  state: z.enum(["waiting", "running", "ok", "partial", "failed"]),
  snapshots: z.array(z.object({ repository: Slug, snapshotId: z.string() })),
  error: z.string().optional(),
  at: IsoTime,
});

export const MediaImport = z.object({
  id: ImportId,
  name: z.string().min(1),
  /** The folder the import writes into. */
  folder: z.string(),
  bytes: Bytes,
  state: ImportState,
  host: HostName.optional(),
  mount: z.string().optional(),
  reservationId: ReservationId.optional(),
  /** Until when the reservation holds: MEDIA_LAG extends it while the import goes on. */
  reservedUntil: IsoTime.optional(),
  /** Why it is paused, refused or failed. */
  reason: z.string().optional(),
  writtenBytes: Bytes.optional(),
  backup: ImportBackup.optional(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
});
export type MediaImport = z.infer<typeof MediaImport>;

export const ImportChange = z.enum(["started", "refused", "paused", "resumed", "finished", "backed-up", "backup-failed", "cancelled"]);

export const MediaImportEvent = z.object({ change: ImportChange, at: IsoTime, import: MediaImport, note: z.string() });
export type MediaImportEvent = z.infer<typeof MediaImportEvent>;

const exampleImport: MediaImport = {
  id: "imp-20261123-061500-c3d4",
  name: "Kurosawa collection",
  folder: "/mnt/storage/media/Movies",
  bytes: 300e9,
  state: "importing",
  host: "kronos",
  mount: "/mnt/storage",
  reservationId: "res-20261123-061500-a1b2",
  createdAt: "2026-11-23T06:15:00.000Z",
  updatedAt: "2026-11-23T06:15:00.000Z",
};

export const mediaImportChanged = defineEvent({
  type: "es.lagrieta.media.import.v1",
  subject: "lag.media.import.{change}.{id}",
  schema: MediaImportEvent,
  publisher: "media",
  audience: "all",
  stream: mediaStream,
  tokens: (d) => ({ change: d.change, id: d.import.id }),
  description:
    "An import started on reserved space, refused (no room; where it would fit), paused while its volume is short of space and resumed when space is back, finished (the space given back), backed up or not, or cancelled.",
  example: { change: "started", at: exampleImport.createdAt, import: exampleImport, note: "300 GB reserved on kronos:/mnt/storage" },
});

export const mediaService = defineService({
  name: "media",
  version: "0.1.0",
  description: "MEDIA_LAG's imports: start one on reserved space, finish it (space back, folder backed up), list them",
  server: "media",
  callers: "all",
  endpoints: {
    start: endpoint({
      subject: "lag.media.imports.start",
      request: z.strictObject({
        name: z.string().min(1),
        folder: z.string().startsWith("/", "must be an absolute path"),
        bytes: Bytes.positive(),
      }),
      reply: MediaImport,
      description:
        "Reserves the space with IT_LAG and starts the import (paused at once when its volume is short of space); `refused` with the reason and where it would fit.",
      example: { request: { name: "Kurosawa collection", folder: "/mnt/storage/media/Movies", bytes: 300e9 }, reply: exampleImport },
    }),
    finish: endpoint({
      subject: "lag.media.imports.finish",
      request: z.strictObject({ id: ImportId, writtenBytes: Bytes.optional(), backup: z.boolean().optional() }),
      reply: MediaImport,
      description: "The import is written: the reservation is released, and (unless `backup` is false) its folder is backed up by IT_LAG.",
      example: {
        request: { id: exampleImport.id, writtenBytes: 287e9 },
        reply: {
          ...exampleImport,
          state: "backing-up",
          writtenBytes: 287e9,
          backup: { plan: "media", state: "waiting", snapshots: [], at: "2026-11-23T09:40:00.000Z" },
        },
      },
    }),
    cancel: endpoint({
      subject: "lag.media.imports.cancel",
      request: z.strictObject({ id: ImportId }),
      reply: MediaImport,
      description: "Gives the import up: its reservation is released, nothing is backed up.",
      example: { request: { id: exampleImport.id }, reply: { ...exampleImport, state: "cancelled" } },
    }),
    list: endpoint({
      subject: "lag.media.imports.list",
      request: z.strictObject({ all: z.boolean().optional() }),
      reply: z.object({ imports: z.array(MediaImport) }),
      description: "Imports under way (with `all`, finished ones too), newest first.",
      example: { request: {}, reply: { imports: [exampleImport] } },
    }),
  },
});

export const mediaSpaceWarnings = defineConsumer({
  durable: "media-space",
  stream: storageStream,
  principal: "media",
  events: [storageSpace],
  description: "IT_LAG's low-space warnings (and space back): MEDIA_LAG pauses and resumes its imports on that volume",
  maxDeliver: 5,
  ackWait: 30_000,
});

export const mediaBackupResults = defineConsumer({
  durable: "media-backups",
  stream: backupsStream,
  principal: "media",
  events: [backupEvent],
  description: "The backup worker's run events: MEDIA_LAG follows the runs of the content backups it asked for",
  maxDeliver: 5,
  ackWait: 30_000,
});
