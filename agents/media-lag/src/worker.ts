import { setTimeout as sleep } from "node:timers/promises";
import { z } from "zod";
import { ServiceError } from "@lag/bus";
import { CommonConfig, duration } from "@lag/config";
import { storageService } from "@lag/contracts";
import { otherSections, type WorkerSpec } from "@lag/worker";

export const MediaConfig = z.strictObject({
  /** How often MEDIA_LAG asks IT_LAG where there is room. */
  storageCheckInterval: duration.default(300_000),
});

export const MediaProcessConfig = CommonConfig.extend({
  ...otherSections("media"),
  media: MediaConfig.default(MediaConfig.parse({})),
});

const GB = 1e9;

export const mediaWorker: WorkerSpec<typeof MediaProcessConfig> = {
  name: "media",
  principal: "media",
  config: MediaProcessConfig,
  async start({ bus, log, timers, config, signal }) {
    let answered = false;
    const check = async () => {
      // At start-up IT_LAG may not be serving yet: retry a few times before waiting a full interval.
      for (let attempt = 1; ; attempt++) {
        try {
          const r = await bus.request(storageService.endpoints.query, {});
          answered = true;
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
          return;
        } catch (err) {
          const retry = !answered && attempt < 10 && err instanceof ServiceError && err.status === 503 && !signal.aborted;
          if (!retry) throw err;
          await sleep(2_000, undefined, { signal }).catch(() => undefined);
        }
      }
    };
    timers.every("storage-check", config.media.storageCheckInterval, check, { runAtStart: true });
  },
};
