import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { withDeadline } from "@lag/async";
import { DockerConnection, readPem, resolveEndpoint, type DockerEndpoint } from "./connection.ts";
import { DockerError, toDockerError } from "./errors.ts";
import type { ContainerInspect, ContainerStats, ContainerSummary, EngineVersion, ImageInspect, PruneReport } from "./types.ts";

/** An answer larger than this is refused: a list of thousands of containers is a few MiB. */
const MAX_BODY = 64 * 1024 * 1024;

/**
 * IT_LAG's Docker client: the Engine API's HTTP + JSON over the unix socket or TCP (with TLS),
 * one kept-alive connection pool, every call bounded by a deadline and mapped to a DockerError
 * an operator can act on. Used by the monitor (list, inspect, stats), runbooks (restart), backup
 * hooks (stop/start) and maintenance (prune, image digests, log paths).
 *
 * Written on node:http rather than dockerode: dockerode's entry loads gRPC and protobuf (BuildKit
 * sessions), ssh2 and tar-fs whatever one calls — 21 MiB of resident memory measured in the
 * monitor for five GET requests (bench/README.md, "bench/monitor"); the API itself is plain HTTP.
 */
export class DockerEngine {
  readonly endpoint: string;
  private readonly timeoutMs: number;
  private readonly ep?: DockerEndpoint;
  private readonly setupError?: DockerError;
  private agent?: HttpAgent;

  constructor(connection: DockerConnection = {}, env: NodeJS.ProcessEnv = process.env) {
    const parsed = DockerConnection.safeParse(connection);
    this.timeoutMs = parsed.success ? parsed.data.timeoutMs : 5_000;
    try {
      this.ep = resolveEndpoint(connection, env);
      this.endpoint = this.ep.label;
    } catch (err) {
      // A bad endpoint fails every call with the reason (an outage to report), never the constructor.
      this.endpoint = connection.host ?? env.DOCKER_HOST ?? "(invalid Docker endpoint)";
      this.setupError =
        err instanceof DockerError ? err : new DockerError("DOCKER_CONFIG", `invalid Docker connection: ${(err as Error).message}`);
    }
  }

  version(): Promise<EngineVersion> {
    return this.call("version", "GET", "/version");
  }

  listContainers(): Promise<ContainerSummary[]> {
    return this.call("list containers", "GET", "/containers/json?all=1");
  }

  inspectContainer(id: string): Promise<ContainerInspect> {
    return this.call(`inspect ${short(id)}`, "GET", `/containers/${encodeURIComponent(id)}/json`);
  }

  inspectImage(id: string): Promise<ImageInspect> {
    return this.call(`inspect image ${short(id)}`, "GET", `/images/${encodeURIComponent(id)}/json`);
  }

  /**
   * One sample, `precpu_stats` left empty (the collector keeps the previous reading instead). Without
   * one-shot the engine waits for a second sample first: 2 s per call measured on Engine 20.10, where
   * one-shot answers still follow its 1 s sampling cadence (up to 1 s).
   */
  containerStats(id: string): Promise<ContainerStats> {
    return this.call(`stats ${short(id)}`, "GET", `/containers/${encodeURIComponent(id)}/stats?stream=false&one-shot=true`);
  }

  /** Restarts a container; the engine waits `graceS` for it to stop before killing it. */
  async restartContainer(id: string, graceS = 10): Promise<void> {
    await this.call(`restart ${short(id)}`, "POST", `/containers/${encodeURIComponent(id)}/restart?t=${graceS}`, {
      extraMs: graceS * 1000,
    });
  }

  /** Starts a container; one already running is fine (304). */
  async startContainer(id: string): Promise<void> {
    await this.call(`start ${short(id)}`, "POST", `/containers/${encodeURIComponent(id)}/start`, { ok: [204, 304] });
  }

  /**
   * Stops a container (its stop signal, SIGKILL after `graceS`, or after the container's own stop
   * timeout when not given — `docker run --stop-timeout`, 10 s by default); one already stopped is
   * fine (304). `waitMs`: how long the call may wait beyond the usual deadline.
   */
  async stopContainer(id: string, graceS?: number, waitMs = (graceS ?? 10) * 1000): Promise<void> {
    const t = graceS === undefined ? "" : `?t=${graceS}`;
    await this.call(`stop ${short(id)}`, "POST", `/containers/${encodeURIComponent(id)}/stop${t}`, { ok: [204, 304], extraMs: waitMs });
  }

  /** Removes dangling images (untagged layers no container uses). */
  async pruneImages(): Promise<PruneReport> {
    const filters = encodeURIComponent(JSON.stringify({ dangling: ["true"] }));
    const r = await this.call<{ ImagesDeleted?: unknown[] | null; SpaceReclaimed?: number }>(
      "prune images",
      "POST",
      `/images/prune?filters=${filters}`,
      { extraMs: 300_000 },
    );
    return { deleted: r.ImagesDeleted?.length ?? 0, spaceReclaimedBytes: r.SpaceReclaimed ?? 0 };
  }

  /** Removes the build cache. */
  async pruneBuildCache(): Promise<PruneReport> {
    const r = await this.call<{ CachesDeleted?: unknown[] | null; SpaceReclaimed?: number }>("prune build cache", "POST", "/build/prune", {
      extraMs: 300_000,
    });
    return { deleted: r.CachesDeleted?.length ?? 0, spaceReclaimedBytes: r.SpaceReclaimed ?? 0 };
  }

  /** Closes kept-alive connections (on stop, and in tests so the process can exit). The client still works afterwards. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  /**
   * One call with an abort signal and a timer. The timer rejects on its own too: a request stuck
   * before the signal is wired (a half-open TCP peer) must not hang a collection.
   */
  private async call<T>(what: string, method: "GET" | "POST", path: string, o: { ok?: number[]; extraMs?: number } = {}): Promise<T> {
    if (this.setupError) throw this.setupError;
    const timeoutMs = this.timeoutMs + (o.extraMs ?? 0);
    const error = () =>
      new DockerError(
        "DOCKER_TIMEOUT",
        `Docker at ${this.endpoint} did not answer ${what} within ${timeoutMs} ms — is dockerd hung or overloaded?`,
      );
    try {
      return await withDeadline(timeoutMs, (signal) => this.send<T>(what, method, path, o.ok, signal), { error });
    } catch (err) {
      throw toDockerError(err, this.endpoint, what);
    }
  }

  private send<T>(what: string, method: string, path: string, ok: number[] | undefined, signal: AbortSignal): Promise<T> {
    const ep = this.ep!;
    const options: RequestOptions = { method, path, agent: this.connection(), signal, headers: { accept: "application/json" } };
    if (ep.kind === "unix") options.socketPath = ep.socketPath;
    else Object.assign(options, { host: ep.hostname, port: ep.port });
    const request = ep.kind === "tcp" && ep.tls ? httpsRequest : httpRequest;
    return new Promise<T>((resolve, reject) => {
      const req = request(options, (res) => {
        readBody(res).then((body) => {
          const status = res.statusCode ?? 0;
          if (!(ok ?? [200, 201, 204]).includes(status)) {
            reject(
              new DockerError("DOCKER_API", `Docker at ${this.endpoint} answered ${what} with HTTP ${status}: ${messageOf(body)}`, status),
            );
            return;
          }
          if (body.length === 0) return resolve(undefined as T);
          try {
            resolve(JSON.parse(body) as T);
          } catch {
            reject(new DockerError("DOCKER_API", `Docker at ${this.endpoint} answered ${what} with something that is not JSON`, status));
          }
        }, reject);
      });
      req.on("error", reject);
      req.end();
    });
  }

  /** Keep-alive: a collection makes 1 + 2n calls; reusing connections saves a handshake per call. Built on first use: TLS files may appear later. */
  private connection(): HttpAgent {
    if (this.agent) return this.agent;
    const ep = this.ep!;
    if (ep.kind === "tcp" && ep.tls) {
      const tls = { ca: readPem(ep.tls.ca, "CA"), cert: readPem(ep.tls.cert, "certificate"), key: readPem(ep.tls.key, "key") };
      this.agent = new HttpsAgent({ keepAlive: true, maxSockets: 64, ...tls });
    } else {
      this.agent = new HttpAgent({ keepAlive: true, maxSockets: 64 });
    }
    return this.agent;
  }
}

const short = (id: string) => id.slice(0, 12);

function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) res.destroy(new Error(`answer larger than ${MAX_BODY} bytes`));
      else chunks.push(c);
    });
    res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    res.on("error", reject);
    res.on("aborted", () => reject(new Error("the answer was cut off")));
  });
}

/** The engine's error answers are `{"message": "…"}`. */
function messageOf(body: string): string {
  try {
    const m = (JSON.parse(body) as { message?: unknown }).message;
    if (typeof m === "string") return m.trim();
  } catch {
    // not JSON: say what it was
  }
  return body.trim().slice(0, 300) || "(no message)";
}
