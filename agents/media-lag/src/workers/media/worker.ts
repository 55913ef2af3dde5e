import { fileURLToPath } from "node:url";
import { backupEvent, mediaBackupResults, mediaService, mediaSpaceWarnings, storageService, storageSpace } from "@lag/contracts";
import { consume, defineWorker, schedule, serve } from "@lag/worker";
import { mediaConfig } from "./config.ts";
import { Imports } from "./imports.ts";
import * as schema from "./schema.ts";

const GB = 1e9;
const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * MEDIA_LAG: asks IT_LAG where there is room; runs its imports on space IT_LAG reserves, pauses
 * them while their volume is short of space, has their folders backed up by IT_LAG's backup
 * worker once written.
 */
export const mediaWorker = defineWorker({
  name: "media",
  principal: "media",
  config: mediaConfig,
  store: { schema, migrationsFolder },
  // Started with the rest, IT_LAG may not serve yet: the worker waits (with back-off, logged).
  dependsOn: [storageService],
  setup: (ctx) => {
    const { config: cfg, bus, outbox, clock, log } = ctx;
    const book = new Imports({ db: ctx.store.db, cfg, bus, outbox, clock, log });
    const under = book.list();
    log.info(
      { imports: under.length, paused: under.filter((i) => i.state === "paused").length, backupPlan: cfg.backupPlan },
      "media ready",
    );
    return { book };
  },
  bindings: ({ book }, { bus, log, config }) => [
    serve(mediaService, {
      start: (req) => book.start(req),
      finish: (req) => book.finish(req),
      cancel: ({ id }) => book.cancel(id),
      list: ({ all }) => ({ imports: book.list(all) }),
    }),
    consume(mediaSpaceWarnings, (d) => {
      if (d.is(storageSpace)) book.onSpace(d.data);
    }),
    consume(mediaBackupResults, (d) => {
      if (d.is(backupEvent)) book.onBackup(d.data);
    }),
    schedule("retry", { every: config.retryEvery }, () => book.retry()),
    schedule("storage-check", { every: config.storageCheckInterval, runAtStart: true }, async () => {
      const r = await bus.request(storageService.endpoints.query, {});
      log.info(
        {
          volumes: r.volumes.map((v) => ({
            host: v.host,
            mount: v.mount,
            role: v.role,
            freeGB: Math.round(v.freeBytes / GB),
            reservedGB: Math.round(v.reservedBytes / GB),
            usedPct: v.usedPct,
          })),
        },
        `storage: ${r.volumes.length} volumes, ${Math.round(r.volumes.reduce((s, v) => s + v.freeBytes, 0) / GB)} GB free in all`,
      );
    }),
  ],
});
