import { isIP } from "node:net";
import { connect, type TLSSocket } from "node:tls";

/** Where to connect: a host (name or address), its port, and the name to ask for (SNI) when it is not the host. */
export interface TlsTarget {
  host: string;
  port: number;
  servername?: string;
}

export interface PresentedCertificate {
  notAfter: Date;
  subject: string;
  /** Why this host would not trust the certificate (self-signed, wrong name), if it would not. */
  untrusted?: string;
}

/**
 * Connects and reads the certificate the server presents, without verifying it (an expired or
 * self-signed one must still say when it expires); whether this host would trust it is said apart.
 * The monitor's TLS check and the subscription worker's certificate source both read it this way.
 */
export function readCertificate(check: TlsTarget, signal: AbortSignal): Promise<PresentedCertificate> {
  // SNI may not be an IP address (RFC 6066): by IP without servername, the server's default certificate.
  const servername = check.servername ?? (isIP(check.host) === 0 ? check.host : undefined);
  return new Promise((resolve, reject) => {
    const socket: TLSSocket = connect({
      host: check.host,
      port: check.port,
      rejectUnauthorized: false,
      ...(servername ? { servername } : {}),
    });
    const abort = () => socket.destroy();
    signal.addEventListener("abort", abort, { once: true });
    socket.once("secureConnect", () => {
      const cert = socket.getPeerX509Certificate();
      const untrusted = socket.authorized ? undefined : describeAuthorizationError(socket.authorizationError, servername);
      socket.destroy();
      if (!cert) return reject(new Error("the server sent no certificate"));
      // validTo is OpenSSL's "Dec  3 07:15:00 2026 GMT", which Date parses; Node 20 has no validToDate.
      const notAfter = new Date(cert.validTo);
      if (Number.isNaN(notAfter.getTime())) return reject(new Error(`unreadable certificate expiry ${JSON.stringify(cert.validTo)}`));
      resolve({ notAfter, subject: cert.subject.replace(/\n/g, ", "), ...(untrusted ? { untrusted } : {}) });
    });
    socket.once("error", reject);
    socket.once("close", () => signal.removeEventListener("abort", abort));
  });
}

/** OpenSSL's verification codes (Node hands them over as strings) for the usual home cases. */
const TRUST: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed certificate",
  SELF_SIGNED_CERT_IN_CHAIN: "self-signed certificate in the chain",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "issuer unknown (an internal CA?)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "issuer unknown (an internal CA?)",
  CERT_HAS_EXPIRED: "expired",
  CERT_NOT_YET_VALID: "not valid yet",
};

function describeAuthorizationError(err: Error | string | undefined | null, servername: string | undefined): string {
  const code = typeof err === "string" ? err : ((err as { code?: string } | null | undefined)?.code ?? err?.message ?? "");
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") return `not issued for ${servername ?? "this address"}`;
  return TRUST[code] ?? (code || "not verified");
}
