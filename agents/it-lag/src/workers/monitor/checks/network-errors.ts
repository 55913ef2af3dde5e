import { DeadlineError } from "@lag/async";

/** Node's socket and TLS error codes, in the words an operator uses. */
const SOCKET: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset by the server",
  EPIPE: "connection closed by the server",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EHOSTDOWN: "host is down",
  ETIMEDOUT: "connection timed out",
  EADDRNOTAVAIL: "address not available on this host",
};

/** OpenSSL's reason when the bytes coming back are not TLS at all (Node reports them as EPROTO). */
const NOT_TLS = /wrong version number|packet length too long|http request/i;

/**
 * Certificate verification failures. Self-signed and internal-CA certificates are common at home,
 * so the message says how to accept them.
 */
const UNTRUSTED = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_GET_ISSUER_CERT",
]);

interface NodeError extends Error {
  code?: string;
  hostname?: string;
  reason?: string;
}

/** One sentence saying why a connection failed, from whatever Node threw. */
export function describeNetworkError(err: unknown): string {
  if (err instanceof DeadlineError) return err.message;
  if (!(err instanceof Error)) return `failed: ${String(err)}`;
  const e = err as NodeError;
  const code = e.code ?? "";
  if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME") {
    return `cannot resolve host ${e.hostname ?? ""}`.trimEnd() + (code === "EAI_AGAIN" ? " (DNS temporarily failing)" : "");
  }
  if (SOCKET[code]) return SOCKET[code];
  if (code === "EPROTO" || code.startsWith("ERR_SSL_")) {
    if (NOT_TLS.test(e.message)) return "TLS handshake failed: the server does not speak TLS on this port (plain HTTP?)";
    // OpenSSL's own text is "80EC…:error:0A00010B:SSL routines:func:reason:file:line:"; the reason is what matters.
    const reason = /:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(e.message)?.[1];
    return `TLS handshake failed: ${reason ?? e.message}`;
  }
  if (UNTRUSTED.has(code)) return `TLS certificate not trusted: ${e.message} (set insecure: true, or ca: the CA's PEM file)`;
  if (code === "CERT_HAS_EXPIRED") return "TLS certificate has expired";
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return `TLS certificate does not match the host name: ${e.reason ?? e.message}`;
  if (code.startsWith("HPE_")) return `invalid HTTP response: ${e.message}`;
  return code && !e.message.includes(code) ? `${e.message} (${code})` : e.message;
}
