import { connect } from "node:net";

/** The host and port a network repository is reached on (`rest:`, `sftp:`), or undefined for a local or other backend. */
export function endpointOf(url: string): { host: string; port: number } | undefined {
  const rest = /^rest:(https?):\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?/.exec(url);
  if (rest) return { host: rest[2]!.replace(/^\[|\]$/g, ""), port: rest[3] ? Number(rest[3]) : rest[1] === "https" ? 443 : 80 };
  const sftpUrl = /^sftp:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?/.exec(url);
  if (sftpUrl) return { host: sftpUrl[1]!.replace(/^\[|\]$/g, ""), port: sftpUrl[2] ? Number(sftpUrl[2]) : 22 };
  const sftp = /^sftp:(?:[^@:]*@)?([^:/]+):/.exec(url);
  if (sftp) return { host: sftp[1]!, port: 22 };
  return undefined;
}

/**
 * Whether the repository's server accepts a connection within `timeoutMs`. restic retries an
 * unreachable backend for up to 15 minutes; this answers in milliseconds (or the timeout) first.
 * An `sftp:` host that is an ssh config alias cannot be resolved here: it is not checked.
 */
export function reachable(url: string, timeoutMs: number): Promise<{ ok: true } | { ok: false; why: string }> {
  const ep = endpointOf(url);
  if (!ep) return Promise.resolve({ ok: true });
  return new Promise((resolve) => {
    const socket = connect({ host: ep.host, port: ep.port });
    const done = (r: { ok: true } | { ok: false; why: string }) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(
      () => done({ ok: false, why: `${ep.host}:${ep.port} did not answer within ${Math.round(timeoutMs / 1000)} s` }),
      timeoutMs,
    );
    socket.once("connect", () => done({ ok: true }));
    socket.once("error", (err: NodeJS.ErrnoException) =>
      // A name ssh resolves from its own config (an alias) is not a failure of the repository.
      done(
        err.code === "ENOTFOUND" && url.startsWith("sftp:")
          ? { ok: true }
          : { ok: false, why: `${ep.host}:${ep.port}: ${err.code ?? err.message}` },
      ),
    );
  });
}
