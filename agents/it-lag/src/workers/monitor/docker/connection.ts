import { readFileSync } from "node:fs";
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { join } from "node:path";
import { inspect } from "node:util";
import Docker from "dockerode";
import { z } from "zod";
import { DockerError } from "./errors.ts";

const TlsFiles = z.strictObject({
  /** PEM files, as `docker --tlsverify` uses them (ca.pem, cert.pem, key.pem). */
  ca: z.string().min(1),
  cert: z.string().min(1),
  key: z.string().min(1),
});

/** How the monitor reaches a Docker engine: the `it.monitor.docker` section of the config. */
export const DockerConnection = z.strictObject({
  /**
   * `DOCKER_HOST`-style endpoint: `unix:///var/run/docker.sock` or `tcp://nas:2376`. When neither this
   * nor `socketPath` is configured, the `DOCKER_HOST` environment variable is used, and without it the
   * default socket. ssh:// is not supported: expose the engine over TCP with TLS instead.
   */
  host: z
    .string()
    .regex(/^(unix|tcp):\/\/.+/, "unix:///path/to/docker.sock or tcp://host:port")
    .optional(),
  socketPath: z.string().startsWith("/").default("/var/run/docker.sock"),
  /** Client certificates for a TCP endpoint; with them the connection is HTTPS (port 2376 by convention). */
  tls: TlsFiles.optional(),
  /**
   * Each Docker API call gives up after this many milliseconds. Keep it above 2 s: Engine 20.10 answers
   * one-shot stats on a one-second cadence, so a stats call may legitimately wait about a second.
   */
  timeoutMs: z.number().int().positive().default(5_000),
});
export type DockerConnection = z.input<typeof DockerConnection>;

export type DockerEndpoint =
  | { kind: "unix"; socketPath: string; label: string }
  | { kind: "tcp"; hostname: string; port: number; tls?: z.infer<typeof TlsFiles>; label: string };

/**
 * Decides where to connect, config first, then `DOCKER_HOST`/`DOCKER_CERT_PATH` as the docker CLI
 * reads them. Pure (env is passed in) so every branch is testable.
 */
export function resolveEndpoint(conn: DockerConnection, env: NodeJS.ProcessEnv = process.env): DockerEndpoint {
  const cfg = DockerConnection.parse(conn);
  // What the config names wins over the environment; the default socket only applies to neither.
  const fromEnv = cfg.host === undefined && conn.socketPath === undefined && env.DOCKER_HOST ? env.DOCKER_HOST : undefined;
  const host = cfg.host ?? fromEnv;
  if (!host) return { kind: "unix", socketPath: cfg.socketPath, label: cfg.socketPath };
  if (host.startsWith("unix://")) {
    const socketPath = host.slice("unix://".length);
    return { kind: "unix", socketPath, label: socketPath };
  }
  if (!host.startsWith("tcp://")) {
    throw new DockerError("DOCKER_CONFIG", `DOCKER_HOST=${host} is not supported: use unix:///path/to/docker.sock or tcp://host:port`);
  }
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new DockerError("DOCKER_CONFIG", `Docker host ${host} is not a valid tcp://host:port address`);
  }
  const certDir = fromEnv && env.DOCKER_CERT_PATH ? env.DOCKER_CERT_PATH : undefined;
  const tls = cfg.tls ?? (certDir ? { ca: join(certDir, "ca.pem"), cert: join(certDir, "cert.pem"), key: join(certDir, "key.pem") } : undefined);
  // 2376 is the TLS port and 2375 the plain one by Docker's convention.
  const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  return { kind: "tcp", hostname, port, ...(tls ? { tls } : {}), label: `tcp://${url.hostname}:${port}` };
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new DockerError("DOCKER_TLS", `cannot read the Docker TLS ${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, undefined, { cause: err });
  }
}

/**
 * docker-modem formats every request's options with `util.inspect(…, { showHidden: true, depth: null })`
 * for its debug log, even when debugging is off. Our agent is in those options, and walking it (sockets,
 * queues, listeners) cost about 400 ms of CPU per collection of 10 containers (21 requests), measured;
 * with agents that print as one word a collection costs about 20 ms, near plain `http.request`.
 */
class QuietHttpAgent extends HttpAgent {
  [inspect.custom](): string {
    return "[http.Agent]";
  }
}
class QuietHttpsAgent extends HttpsAgent {
  [inspect.custom](): string {
    return "[https.Agent]";
  }
}

export interface DockerClient {
  docker: Docker;
  /** Closes kept-alive connections (on stop, and in tests so the process can exit). */
  close(): void;
}

/**
 * A dockerode client for the endpoint. Every connection option is given explicitly: docker-modem
 * otherwise merges in DOCKER_HOST from the environment, which would silently override a socketPath.
 */
export function createClient(ep: DockerEndpoint): DockerClient {
  const none = { socketPath: undefined, host: undefined, port: undefined, ca: undefined, cert: undefined, key: undefined, timeout: undefined, version: undefined };
  // Keep-alive: a collection makes 1 + 2n calls; reusing connections saves a TLS handshake per call.
  if (ep.kind === "unix") {
    const agent = new QuietHttpAgent({ keepAlive: true, maxSockets: 64 });
    const docker = new Docker({ ...none, socketPath: ep.socketPath, protocol: "http", agent } as Docker.DockerOptions);
    return { docker, close: () => agent.destroy() };
  }
  if (!ep.tls) {
    const agent = new QuietHttpAgent({ keepAlive: true, maxSockets: 64 });
    const docker = new Docker({ ...none, host: ep.hostname, port: ep.port, protocol: "http", agent } as Docker.DockerOptions);
    return { docker, close: () => agent.destroy() };
  }
  const ca = readPem(ep.tls.ca, "CA");
  const cert = readPem(ep.tls.cert, "certificate");
  const key = readPem(ep.tls.key, "key");
  const agent = new QuietHttpsAgent({ keepAlive: true, maxSockets: 64, ca, cert, key });
  const docker = new Docker({ ...none, host: ep.hostname, port: ep.port, protocol: "https", ca, cert, key, agent } as Docker.DockerOptions);
  return { docker, close: () => agent.destroy() };
}
