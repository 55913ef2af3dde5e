import { DockerError } from "../../../docker/errors.ts";
import type { Runbook } from "./runbook.ts";

const MB = 1024 * 1024;

/** Removes dangling images and the build cache, and says how much was freed. */
export const pruneDocker: Runbook<"prune-docker"> = {
  kind: "prune-docker",
  propose(incident, alert, host) {
    if (alert.host !== host) return { cannot: `Docker of ${alert.host} is not reachable from ${host}` };
    return {
      action: { kind: "prune-docker", params: { host } },
      reason: `${alert.summary}; dangling images and the build cache are space Docker can give back`,
      evidence: {
        summary: `remove dangling images and the build cache on ${host}`,
        observed: [`${alert.summary} (since ${alert.startsAt})`, `incident ${incident.id}: ${incident.title}`],
      },
    };
  },
  async run(_params, ctx) {
    const images = await ctx.docker.pruneImages();
    // An engine without BuildKit answers the build cache prune with an error: only the images then.
    const cache = await ctx.docker.pruneBuildCache().catch((err: unknown) => {
      if (err instanceof DockerError && err.code === "DOCKER_API") return { deleted: 0, spaceReclaimedBytes: 0 };
      throw err;
    });
    const freed = images.spaceReclaimedBytes + cache.spaceReclaimedBytes;
    return {
      ok: true,
      note: `removed ${images.deleted} dangling images and ${cache.deleted} build cache records: ${(freed / MB).toFixed(1)} MB freed`,
      data: { freedBytes: freed, images: images.deleted, cache: cache.deleted },
    };
  },
};
