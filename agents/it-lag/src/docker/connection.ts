import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { DockerError } from "./errors.ts";

const TlsFiles = z.strictObject({
  /** PEM files, as `docker --tlsverify` uses them (ca.pem, cert.pem, key.pem). */
  ca: z.string().min(1),
  cert: z.string().min(1),
  key: z.string().min(1),
});

/** How IT_LAG reaches a Docker engine (`it.monitor.docker` and the like in the config). */
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
  const tls =
    cfg.tls ?? (certDir ? { ca: join(certDir, "ca.pem"), cert: join(certDir, "cert.pem"), key: join(certDir, "key.pem") } : undefined);
  // 2376 is the TLS port and 2375 the plain one by Docker's convention.
  const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
  const hostname = url.hostname.replace(/^\[|\]$/g, "");
  return { kind: "tcp", hostname, port, ...(tls ? { tls } : {}), label: `tcp://${url.hostname}:${port}` };
}

export function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new DockerError(
      "DOCKER_TLS",
      `cannot read the Docker TLS ${what} file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      undefined,
      { cause: err },
    );
  }
}

/**
 * The same endpoint for the docker CLI, as its global flags (`-H …`, TLS files): for what only the
 * CLI does as a command line of its own — a dump that restic runs (`docker exec` as restic's
 * `--stdin-from-command`).
 */
export function dockerCliArgs(conn: DockerConnection, env: NodeJS.ProcessEnv = process.env): string[] {
  const ep = resolveEndpoint(conn, env);
  if (ep.kind === "unix") return ["-H", `unix://${ep.socketPath}`];
  const host = ep.hostname.includes(":") ? `[${ep.hostname}]` : ep.hostname;
  const tls = ep.tls ? ["--tlsverify", "--tlscacert", ep.tls.ca, "--tlscert", ep.tls.cert, "--tlskey", ep.tls.key] : [];
  return ["-H", `tcp://${host}:${ep.port}`, ...tls];
}
