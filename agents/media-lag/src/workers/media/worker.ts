import { storageService } from "@lag/contracts";
import { defineWorker, schedule } from "@lag/worker";
import { mediaConfig } from "./config.ts";

const GB = 1e9;

/** MEDIA_LAG: asks IT_LAG where there is room, on start and every storageCheckInterval. */
export const mediaWorker = defineWorker({
  name: "media",
  principal: "media",
  config: mediaConfig,
  // Started with the rest, IT_LAG may not serve yet: the worker waits (with back-off, logged).
  dependsOn: [storageService],
  setup: () => ({}),
  bindings: (_state, { bus, log, config }) => [
    schedule("storage-check", { every: config.storageCheckInterval, runAtStart: true }, async () => {
      const r = await bus.request(storageService.endpoints.query, {});
      log.info(
        {
          volumes: r.volumes.map((v) => ({
            host: v.host,
            mount: v.mount,
            role: v.role,
            freeGB: Math.round(v.freeBytes / GB),
            usedPct: v.usedPct,
          })),
        },
        `storage: ${r.volumes.length} volumes, ${Math.round(r.volumes.reduce((s, v) => s + v.freeBytes, 0) / GB)} GB free in all`,
      );
    }),
  ],
});
