/**
 * Why a Docker call failed, in words an operator can act on. The collector never throws these out:
 * it puts the message in `docker.error` of the snapshot and logs it once.
 */
export type DockerErrorCode =
  | "DOCKER_UNREACHABLE" // nothing answers at the endpoint (no socket, refused, host unknown)
  | "DOCKER_DENIED" // the socket exists but this user may not open it
  | "DOCKER_TIMEOUT" // the engine accepted the connection but did not answer in time
  | "DOCKER_TLS" // the TLS handshake or a certificate file failed
  | "DOCKER_API" // the engine answered with an HTTP error
  | "DOCKER_CONFIG"; // the endpoint itself is malformed

export class DockerError extends Error {
  override readonly name = "DockerError";
  constructor(
    readonly code: DockerErrorCode,
    message: string,
    /** HTTP status when the engine answered (404: the container went away meanwhile). */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface NodeError extends Error {
  code?: string;
  syscall?: string;
  statusCode?: number;
  json?: { message?: string } | null;
}

const UNREACHABLE = new Set([
  "ENOENT",
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTSOCK",
]);

/** Turns what dockerode/docker-modem/Node reject with into a DockerError naming the endpoint. */
export function toDockerError(err: unknown, endpoint: string, call: string): DockerError {
  if (err instanceof DockerError) return err;
  const e = (err instanceof Error ? err : new Error(String(err))) as NodeError;
  const how = [e.syscall, e.code].filter(Boolean).join(" ");
  if (typeof e.statusCode === "number") {
    const msg = (e.json && typeof e.json === "object" && e.json.message) || e.message;
    return new DockerError(
      "DOCKER_API",
      `Docker at ${endpoint} answered ${call} with HTTP ${e.statusCode}: ${String(msg).trim()}`,
      e.statusCode,
      { cause: err },
    );
  }
  if (e.code === "EACCES" || e.code === "EPERM") {
    return new DockerError(
      "DOCKER_DENIED",
      `cannot open Docker at ${endpoint}: ${how} — run the monitor as root or add its user to the docker group`,
      undefined,
      { cause: err },
    );
  }
  if (e.code && UNREACHABLE.has(e.code)) {
    const hint = endpoint.startsWith("tcp://") ? "is dockerd running and listening there?" : "is dockerd running?";
    return new DockerError("DOCKER_UNREACHABLE", `cannot reach Docker at ${endpoint}: ${how} — ${hint}`, undefined, { cause: err });
  }
  if (e.code?.startsWith("ERR_TLS") || e.code?.startsWith("ERR_SSL") || /certificate|SSL|TLS/i.test(e.message)) {
    return new DockerError("DOCKER_TLS", `TLS with Docker at ${endpoint} failed: ${e.message} — check the ca/cert/key files`, undefined, {
      cause: err,
    });
  }
  return new DockerError("DOCKER_UNREACHABLE", `cannot reach Docker at ${endpoint}: ${how || e.message}`, undefined, { cause: err });
}
