import type Docker from "dockerode";
import { DockerError, toDockerError } from "./errors.ts";

/** The few engine calls the collector makes, each bounded by a deadline. */
export interface DockerApi {
  list(): Promise<Docker.ContainerInfo[]>;
  inspect(id: string): Promise<Docker.ContainerInspectInfo>;
  /**
   * One sample, `precpu_stats` left empty (the collector keeps the previous reading instead). Without
   * one-shot the engine waits for a second sample first: 2 s per call measured on Engine 20.10, where
   * one-shot answers still follow its 1 s sampling cadence (up to 1 s). Current moby code reads one-shot
   * stats directly (not measured here: no newer engine on the test machines).
   */
  stats(id: string): Promise<Docker.ContainerStats>;
  version(): Promise<string>;
}

// The dockerode typings omit `abortSignal`, which dockerode passes on to docker-modem for every call.
type WithSignal = { abortSignal: AbortSignal };
type Untyped = (this: unknown, opts: object) => Promise<unknown>;
const invoke = (target: object, method: unknown, opts: object) => (method as Untyped).call(target, opts);

export function dockerApi(docker: Docker, endpoint: string, timeoutMs: number): DockerApi {
  const call = <T>(what: string, run: (opts: WithSignal) => Promise<unknown>) => withDeadline<T>(what, endpoint, timeoutMs, run);
  return {
    list: () => call("list containers", (o) => docker.listContainers({ all: true, ...o })),
    inspect: (id) => {
      const c = docker.getContainer(id);
      return call(`inspect ${id.slice(0, 12)}`, (o) => invoke(c, c.inspect, o));
    },
    stats: (id) => {
      const c = docker.getContainer(id);
      return call(`stats ${id.slice(0, 12)}`, (o) => invoke(c, c.stats, { stream: false, "one-shot": true, ...o }));
    },
    version: async () => (await call<Docker.DockerVersion>("version", (o) => invoke(docker, docker.version, o))).Version,
  };
}

/**
 * Runs one call with an abort signal and a timer. The timer rejects on its own too: a request stuck
 * before the signal is wired (socket path resolution, a half-open TCP peer) must not hang a collection.
 */
async function withDeadline<T>(what: string, endpoint: string, timeoutMs: number, run: (opts: WithSignal) => Promise<unknown>): Promise<T> {
  const ac = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort();
      reject(new DockerError("DOCKER_TIMEOUT", `Docker at ${endpoint} did not answer ${what} within ${timeoutMs} ms — is dockerd hung or overloaded?`));
    }, timeoutMs);
  });
  const pending = run({ abortSignal: ac.signal });
  // After a timeout the aborted request still rejects; that rejection is expected, not unhandled.
  pending.catch(() => undefined);
  try {
    return (await Promise.race([pending, deadline])) as T;
  } catch (err) {
    throw toDockerError(err, endpoint, what);
  } finally {
    clearTimeout(timer);
  }
}
