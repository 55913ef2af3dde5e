import { fileURLToPath } from "node:url";
import { hostMetrics, reservationsService, storageService } from "@lag/contracts";
import { defineWorker, schedule, serve, subscribe } from "@lag/worker";
import { itConfig } from "../../config.ts";
import { LibraryBook } from "./libraries.ts";
import { ReservationBook } from "./reservations.ts";
import { storageHandlers } from "./service.ts";
import { SpaceWarnings } from "./space-warnings.ts";
import * as schema from "./store/schema.ts";
import { VolumeBook } from "./volumes.ts";

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * IT_LAG's storage worker: every host's volumes learnt from the monitors' samples on the bus,
 * space reserved for imports (subtracted from what is free), library folders walked in the
 * background, low-space warnings for MEDIA_LAG. Run one: it is the single book of reservations.
 */
export const storageWorker = defineWorker({
  name: "it-storage",
  principal: "it-storage",
  config: itConfig.section("storage"),
  store: { schema, migrationsFolder },

  setup(ctx) {
    const { config: cfg, log, outbox, clock, signal } = ctx;
    const host = cfg.host!;
    const db = ctx.store.db;
    const volumes = new VolumeBook();
    const reservations = new ReservationBook({ db, cfg, host, volumes, outbox, clock, log });
    const libraries = new LibraryBook({ db, cfg, host, volumes, clock, log, signal });
    const warnings = new SpaceWarnings({ db, cfg, host, reservations, outbox, clock, log });
    const expired = reservations.expireDue(clock.now());
    log.info(
      { host, open: reservations.open().length, expired, libraries: cfg.libraries.map((l) => l.name), thresholds: cfg.thresholds },
      "storage ready",
    );
    return { volumes, reservations, libraries, warnings };
  },

  bindings(s, { config: cfg, clock }) {
    const handlers = storageHandlers({ ...s, clock });
    return [
      subscribe(hostMetrics, (d) => {
        s.volumes.update(d.data);
        s.warnings.update(s.volumes.all().filter((v) => v.host === d.data.host));
      }),
      serve(storageService, handlers.query),
      serve(reservationsService, handlers.reservations),
      schedule("expire", { every: cfg.expireEvery }, () => void s.reservations.expireDue(clock.now())),
      schedule("libraries", { every: Math.min(60_000, cfg.libraryRefresh), runAtStart: true }, () => void s.libraries.tick()),
    ];
  },

  stopping: ({ libraries }) => libraries.settle(),
});
