import type { ContainerInspect, ContainerSummary } from "../../../docker/types.ts";
import { ContainerHealth, ContainerState, type Container } from "@lag/contracts";
import type { MemoryUsage } from "./usage.ts";

/**
 * Labels kept in snapshots. A container's labels are mostly image metadata (OCI annotations,
 * maintainer, build args) and Traefik routing rules; snapshots go to every subscriber every interval,
 * so only what groups or annotates containers for LAG travels: the compose project/service labels
 * and the operator's own `lag.*` labels (e.g. `lag.severity=critical`).
 */
export const DEFAULT_LABEL_PREFIXES: readonly string[] = ["com.docker.compose.", "lag."];

export function pickLabels(
  labels: Record<string, string> | null | undefined,
  prefixes: readonly string[],
): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels ?? {})) if (prefixes.some((p) => k.startsWith(p))) out[k] = v;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** Docker writes this for "never started"; it is not a time to report. */
const ZERO_TIME = "0001-01-01T00:00:00Z";

function isoOrUndefined(t: string | undefined): string | undefined {
  if (!t || t.startsWith("0001-01-01") || t === ZERO_TIME) return undefined;
  const d = new Date(t);
  // Docker gives nanoseconds; the contract's ISO time is what Date prints (milliseconds).
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** `Up 3 minutes (unhealthy)` → unhealthy: the list's status text, used only when inspect failed. */
function healthFromStatus(status: string | undefined): Container["health"] {
  const m = /\((healthy|unhealthy|health: starting)\)/.exec(status ?? "");
  if (!m) return "none";
  return m[1] === "health: starting" ? "starting" : (m[1] as "healthy" | "unhealthy");
}

export interface ContainerFacts {
  summary: ContainerSummary;
  /** Absent when inspect failed this time; the list's fields and the last known restart count stand in. */
  inspect?: ContainerInspect;
  lastRestartCount?: number;
  cpuPct?: number;
  memory?: MemoryUsage;
  labelPrefixes: readonly string[];
}

export function toContainer(f: ContainerFacts): Container {
  const { summary: s, inspect: i } = f;
  const rawState = i?.State.Status ?? s.State;
  const parsed = ContainerState.safeParse(rawState);
  // Engines only use the listed states; a new one is reported by what it means for the service.
  const state = parsed.success ? parsed.data : (i?.State.Running ?? rawState === "running") ? "running" : "exited";
  const health = i ? ContainerHealth.catch("none").parse(i.State.Health?.Status ?? "none") : healthFromStatus(s.Status);
  const name = (i?.Name ?? s.Names[0] ?? s.Id).replace(/^\//, "");
  const c: Container = {
    id: s.Id.slice(0, 12),
    name,
    image: i?.Config?.Image || s.Image,
    state,
    health,
    restartCount: i?.RestartCount ?? f.lastRestartCount ?? 0,
  };
  const startedAt = isoOrUndefined(i?.State.StartedAt);
  if (startedAt) c.startedAt = startedAt;
  const finishedAt = state !== "running" ? isoOrUndefined(i?.State.FinishedAt) : undefined;
  if (finishedAt) c.finishedAt = finishedAt;
  const policy = i?.HostConfig?.RestartPolicy?.Name;
  if (policy !== undefined) c.restartPolicy = policy === "" ? "no" : policy;
  // The last run's exit code matters when the container is down or looping; for a created or
  // running container it is a meaningless 0.
  if (i && (state === "exited" || state === "dead" || state === "restarting")) c.exitCode = i.State.ExitCode;
  if (f.cpuPct !== undefined) c.cpuPct = f.cpuPct;
  if (f.memory) {
    c.memBytes = f.memory.bytes;
    if (f.memory.limitBytes !== undefined) c.memLimitBytes = f.memory.limitBytes;
    if (f.memory.pct !== undefined) c.memPct = f.memory.pct;
  }
  const labels = pickLabels(s.Labels, f.labelPrefixes);
  if (labels) c.labels = labels;
  return c;
}
