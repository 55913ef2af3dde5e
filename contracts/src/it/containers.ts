import { z } from "zod";
import { defineEvent } from "../descriptors.ts";
import { Bytes, HostName, IsoTime, Percent } from "./common.ts";

export const ContainerState = z.enum(["created", "running", "restarting", "paused", "exited", "removing", "dead"]);
export const ContainerHealth = z.enum(["healthy", "unhealthy", "starting", "none"]);

export const Container = z.object({
  id: z.string().min(12),
  name: z.string().min(1),
  image: z.string(),
  state: ContainerState,
  health: ContainerHealth,
  restartCount: z.number().int().nonnegative(),
  startedAt: IsoTime.optional(),
  /** When its last run ended (exited, dead, restarting). */
  finishedAt: IsoTime.optional(),
  exitCode: z.number().int().optional(),
  /** Docker's restart policy: no, always, unless-stopped, on-failure. */
  restartPolicy: z.string().optional(),
  /** Only for running containers: CPU as % of one core summed over cores, as `docker stats` shows it. */
  cpuPct: z.number().nonnegative().optional(),
  memBytes: Bytes.optional(),
  memLimitBytes: Bytes.optional(),
  memPct: Percent.optional(),
  labels: z.record(z.string(), z.string()).optional(),
});
export type Container = z.infer<typeof Container>;

export const ContainersSnapshot = z.object({
  host: HostName,
  time: IsoTime,
  docker: z.object({
    available: z.boolean(),
    /** The engine's version when available; why not, when unavailable. */
    version: z.string().optional(),
    error: z.string().optional(),
  }),
  containers: z.array(Container),
});
export type ContainersSnapshot = z.infer<typeof ContainersSnapshot>;

export const containerMetrics = defineEvent({
  type: "es.lagrieta.it.container.metrics.v1",
  subject: "lag.it.container.metrics.{host}",
  schema: ContainersSnapshot,
  publisher: "it-monitor",
  audience: "all",
  tokens: (d) => ({ host: d.host }),
  description:
    "Every Docker container of a host each interval: state, health, restarts, CPU and memory. " +
    "When Docker is not reachable, `docker.available` is false with the reason.",
  example: {
    host: "kronos",
    time: "2026-11-23T06:00:00.000Z",
    docker: { available: true, version: "28.2.2" },
    containers: [
      {
        id: "3f2a9c0d1b4e",
        name: "immich-server",
        image: "ghcr.io/immich-app/immich-server:release",
        state: "running",
        health: "healthy",
        restartCount: 0,
        startedAt: "2026-11-20T03:00:00.000Z",
        cpuPct: 3.2,
        memBytes: 512 * 1024 ** 2,
        memLimitBytes: 4 * 1024 ** 3,
        memPct: 12.5,
      },
    ],
  },
});
