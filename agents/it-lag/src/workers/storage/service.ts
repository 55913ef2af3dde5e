import type { Clock } from "@lag/async";
import { callerPrincipal, type ServiceHandlers } from "@lag/bus";
import type { reservationsService, storageService } from "@lag/contracts";
import type { LibraryBook } from "./libraries.ts";
import type { ReservationBook } from "./reservations.ts";
import type { VolumeBook } from "./volumes.ts";

export function storageHandlers(o: { volumes: VolumeBook; reservations: ReservationBook; libraries: LibraryBook; clock: Clock }) {
  const query: ServiceHandlers<typeof storageService> = {
    query: (q) => {
      const now = o.clock.now();
      o.reservations.expireDue(now);
      return o.volumes.query(q, now, {
        reservedOn: (h, m) => o.reservations.reservedOn(h, m),
        librariesOn: (h, m) => o.libraries.librariesOn(h, m),
      });
    },
  };
  const reservations: ServiceHandlers<typeof reservationsService> = {
    reserve: (req, ctx) => o.reservations.reserve(req, callerPrincipal(ctx) ?? "unknown"),
    shrink: ({ id, bytes, ttlMs }) => o.reservations.shrink(id, bytes, ttlMs),
    release: ({ id, writtenBytes }) => o.reservations.release(id, writtenBytes),
    reservations: (q) => {
      o.reservations.expireDue(o.clock.now());
      return { reservations: o.reservations.list(q) };
    },
  };
  return { query, reservations };
}
