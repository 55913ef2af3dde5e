import { z } from "zod";
import { defineEvent, defineService, endpoint } from "../descriptors.ts";
import { storageStream } from "../streams.ts";
import { Bytes, HostName, IsoTime, Percent } from "./common.ts";

/**
 * IT_LAG's storage: free and used space per volume of every monitored host and per library
 * folder, space reserved for imports (subtracted from what is free until released, shrunk or
 * expired), and low-space warnings with the reservations that are open.
 */

export const StorageQuery = z
  .object({
    /** Only this host's volumes. */
    host: HostName.optional(),
    /** Only the volume holding this path (longest mount prefix), e.g. /mnt/storage/photos. */
    path: z.string().startsWith("/", "must be an absolute path").optional(),
    /** Only volumes with at least this much free space ("where do 300 GB fit?"). */
    minFreeBytes: Bytes.optional(),
  })
  .strict();
export type StorageQuery = z.infer<typeof StorageQuery>;

/** A configured library folder (Movies, Series, Music, Photos …): what it holds, from a walk in the background. */
export const LibraryUsage = z.object({
  name: z.string().min(1),
  path: z.string(),
  /** Space taken on disk (allocated blocks, as `du` counts; a hard-linked file once). */
  bytes: Bytes.optional(),
  /** The files' sizes added up (`du --apparent-size`). */
  apparentBytes: Bytes.optional(),
  files: z.number().int().nonnegative().optional(),
  /** When the last walk finished, and how long it took. */
  measuredAt: IsoTime.optional(),
  walkMs: z.number().nonnegative().optional(),
  /** measured; walking (the first walk is under way); missing (the folder is not there); failed (why in `error`). */
  state: z.enum(["measured", "walking", "missing", "failed"]),
  /** Entries that could not be read in the last walk (they are left out of the figures). */
  unreadable: z.number().int().nonnegative().optional(),
  error: z.string().optional(),
});
export type LibraryUsage = z.infer<typeof LibraryUsage>;

export const Volume = z.object({
  host: HostName,
  mount: z.string(),
  role: z.string().optional(),
  fsType: z.string(),
  sizeBytes: Bytes,
  usedBytes: Bytes,
  /** Free space as measured, less what is reserved: what a new import can count on. */
  freeBytes: Bytes,
  usedPct: Percent,
  /** Free space as the host measured it. */
  measuredFreeBytes: Bytes,
  /** Space held by open reservations on this volume. */
  reservedBytes: Bytes,
  /** The library folders on this volume. */
  libraries: z.array(LibraryUsage).optional(),
  /** When the numbers were measured on that host. */
  sampledAt: IsoTime,
});
export type Volume = z.infer<typeof Volume>;

export const StorageReport = z.object({
  time: IsoTime,
  volumes: z.array(Volume),
});
export type StorageReport = z.infer<typeof StorageReport>;

const GiB = 1024 ** 3;

export const ReservationId = z.string().regex(/^res-[a-z0-9-]+$/, "a reservation id (res-…)");

export const Reservation = z.object({
  id: ReservationId,
  host: HostName,
  mount: z.string(),
  /** The folder the space is for. */
  path: z.string(),
  /** Held now (shrunk as the import writes). */
  bytes: Bytes,
  /** Asked for at the start. */
  requestedBytes: Bytes,
  purpose: z.string(),
  /** The principal that reserved it. */
  requester: z.string(),
  /** The requester's own key: asking again with it returns this reservation instead of a second one. */
  key: z.string().optional(),
  createdAt: IsoTime,
  expiresAt: IsoTime,
  state: z.enum(["open", "released", "expired"]),
  closedAt: IsoTime.optional(),
  /** What the import reports it wrote, at release. */
  writtenBytes: Bytes.optional(),
});
export type Reservation = z.infer<typeof Reservation>;

/** A volume where a refused reservation would fit. */
export const Alternative = z.object({ host: HostName, mount: z.string(), role: z.string().optional(), freeBytes: Bytes });
export type Alternative = z.infer<typeof Alternative>;

export const ReserveRequest = z.strictObject({
  /** The folder the import writes into; the volume holding it is reserved on. */
  path: z.string().startsWith("/", "must be an absolute path"),
  /** The host the path is on (default: the storage worker's own). */
  host: HostName.optional(),
  bytes: Bytes.positive("must be more than 0"),
  purpose: z.string().min(1),
  /** How long to hold it unless released first, in ms (default it.storage.reservationTtl, at most it.storage.maxReservationTtl). */
  ttlMs: z.number().int().positive().optional(),
  key: z.string().min(1).max(200).optional(),
});
export type ReserveRequest = z.infer<typeof ReserveRequest>;

export const ReserveReply = z.discriminatedUnion("granted", [
  z.object({ granted: z.literal(true), reservation: Reservation }),
  z.object({
    granted: z.literal(false),
    reason: z.string(),
    /** Volumes where it would fit (with their free space after reservations), most room first. */
    alternatives: z.array(Alternative),
  }),
]);
export type ReserveReply = z.infer<typeof ReserveReply>;

const exampleReservation: Reservation = {
  id: "res-20261123-061500-a1b2",
  host: "kronos",
  mount: "/mnt/storage",
  path: "/mnt/storage/media/Movies",
  bytes: 300e9,
  requestedBytes: 300e9,
  purpose: "import: Kurosawa collection",
  requester: "media",
  key: "imp-20261123-061500-c3d4",
  createdAt: "2026-11-23T06:15:00.000Z",
  expiresAt: "2026-11-24T06:15:00.000Z",
  state: "open",
};

export const storageService = defineService({
  name: "it-storage",
  version: "0.1.0",
  description: "Free and used space per volume and library folder, space reservations for imports",
  server: "it-storage",
  callers: "all",
  endpoints: {
    query: endpoint({
      subject: "lag.it.storage.query",
      request: StorageQuery,
      reply: StorageReport,
      description:
        "Free/used space per mounted volume of every monitored host, from the latest samples; " +
        "filter by host, by a path (the volume holding it) or by the free space needed.",
      example: {
        request: { path: "/mnt/storage/photos" },
        reply: {
          time: "2026-11-23T06:00:01.000Z",
          volumes: [
            {
              host: "kronos",
              mount: "/mnt/storage",
              role: "storage",
              fsType: "ext4",
              sizeBytes: 4000 * GiB,
              usedBytes: 3000 * GiB,
              freeBytes: 700 * GiB,
              usedPct: 75,
              measuredFreeBytes: 1000 * GiB,
              reservedBytes: 300 * GiB,
              libraries: [
                {
                  name: "Photos",
                  path: "/mnt/storage/photos",
                  bytes: 812 * GiB,
                  apparentBytes: 809 * GiB,
                  files: 148_211,
                  measuredAt: "2026-11-23T05:12:40.000Z",
                  walkMs: 41_200,
                  state: "measured",
                },
              ],
              sampledAt: "2026-11-23T06:00:00.000Z",
            },
          ],
        },
      },
    }),
  },
});

export const reservationsService = defineService({
  name: "it-reservations",
  version: "0.1.0",
  description: "Space held for imports: reserve, shrink, release, list (what every storage query subtracts from free)",
  server: "it-storage",
  callers: "all",
  endpoints: {
    reserve: endpoint({
      subject: "lag.it.storage.reserve",
      request: ReserveRequest,
      reply: ReserveReply,
      description:
        "Holds space on the volume of a path for an import; refused (with the volumes where it would fit) when the volume's free space, less what is reserved and the share kept free, is short. Two requests that together do not fit are never both granted.",
      example: {
        request: { path: "/mnt/storage/media/Movies", bytes: 300e9, purpose: "import: Kurosawa collection" },
        reply: { granted: true, reservation: exampleReservation },
      },
    }),
    shrink: endpoint({
      subject: "lag.it.storage.shrink",
      request: z.strictObject({
        id: ReservationId,
        /** What is still to be written (the written part now shows in the measured free space). */
        bytes: Bytes,
        /** Hold it this much longer from now, in ms. */
        ttlMs: z.number().int().positive().optional(),
      }),
      reply: Reservation,
      description: "Lowers an open reservation to what is still to be written (never raises it), and may extend it.",
      example: { request: { id: exampleReservation.id, bytes: 120e9 }, reply: { ...exampleReservation, bytes: 120e9 } },
    }),
    release: endpoint({
      subject: "lag.it.storage.release",
      request: z.strictObject({ id: ReservationId, writtenBytes: Bytes.optional() }),
      reply: Reservation,
      description: "Gives the space back (the import is done, or given up). Releasing a closed reservation returns it as it is.",
      example: {
        request: { id: exampleReservation.id, writtenBytes: 287e9 },
        reply: { ...exampleReservation, state: "released", closedAt: "2026-11-23T09:40:00.000Z", writtenBytes: 287e9 },
      },
    }),
    reservations: endpoint({
      subject: "lag.it.storage.reservations",
      request: z.strictObject({ all: z.boolean().optional(), host: HostName.optional() }),
      reply: z.object({ reservations: z.array(Reservation) }),
      description: "Open reservations (with `all`, the closed ones of the last 30 days too), newest first.",
      example: { request: {}, reply: { reservations: [exampleReservation] } },
    }),
  },
});

export const ReservationChange = z.enum(["granted", "refused", "shrunk", "released", "expired"]);

export const StorageReservationEvent = z.object({
  change: ReservationChange,
  at: IsoTime,
  host: HostName,
  /** Absent for a refusal. */
  reservation: Reservation.optional(),
  /** What was asked, for a refusal. */
  request: z.object({ path: z.string(), bytes: Bytes, purpose: z.string(), requester: z.string() }).optional(),
  note: z.string(),
});
export type StorageReservationEvent = z.infer<typeof StorageReservationEvent>;

export const storageReservation = defineEvent({
  type: "es.lagrieta.it.storage.reservation.v1",
  subject: "lag.it.storage.reservation.{change}.{host}",
  schema: StorageReservationEvent,
  publisher: "it-storage",
  audience: "all",
  stream: storageStream,
  tokens: (d) => ({ change: d.change, host: d.host }),
  description: "A reservation granted, refused (and why), shrunk, released or expired: the audit trail of who held which space.",
  example: {
    change: "granted",
    at: exampleReservation.createdAt,
    host: "kronos",
    reservation: exampleReservation,
    note: "300 GB of 1.0 TB free",
  },
});

/** ok: below every threshold again; low / critical: past the volume's thresholds. */
export const SpaceLevel = z.enum(["ok", "low", "critical"]);
export type SpaceLevel = z.infer<typeof SpaceLevel>;

export const StorageSpaceEvent = z.object({
  level: SpaceLevel,
  /** The level before this change. */
  previous: SpaceLevel,
  at: IsoTime,
  host: HostName,
  mount: z.string(),
  role: z.string().optional(),
  usedPct: Percent,
  measuredFreeBytes: Bytes,
  /** Free less reserved. */
  freeBytes: Bytes,
  /** The threshold (used %) crossed, or the one gone below. */
  thresholdPct: Percent,
  /** The reservations open on the volume. */
  reservations: z.array(Reservation),
});
export type StorageSpaceEvent = z.infer<typeof StorageSpaceEvent>;

export const storageSpace = defineEvent({
  type: "es.lagrieta.it.storage.space.v1",
  subject: "lag.it.storage.space.{level}.{host}",
  schema: StorageSpaceEvent,
  publisher: "it-storage",
  audience: "all",
  stream: storageStream,
  tokens: (d) => ({ level: d.level, host: d.host }),
  description:
    "A volume's space crossed one of its thresholds (low, critical) or came back below them (ok), with the reservations open on it: MEDIA_LAG pauses its imports there until space is back.",
  example: {
    level: "low",
    previous: "ok",
    at: "2026-11-23T06:20:00.000Z",
    host: "kronos",
    mount: "/mnt/storage",
    role: "storage",
    usedPct: 91.2,
    measuredFreeBytes: 352e9,
    freeBytes: 52e9,
    thresholdPct: 90,
    reservations: [exampleReservation],
  },
});
