import { isIP } from "node:net";
import { connect, type TLSSocket } from "node:tls";
import type { TlsCheck } from "./check-config.ts";
import { withDeadline } from "@lag/async";
import { describeNetworkError } from "./network-errors.ts";
import { elapsedMs, type CheckOutcome } from "./outcome.ts";
import { hostPort } from "./tcp.ts";

const DAY_MS = 86_400_000;

export interface Handshake {
  notAfter: Date;
  subject: string;
  latencyMs: number;
  /** Why this host would not trust the certificate (self-signed, wrong name), if it would not. */
  untrusted?: string;
}

/**
 * Reads the server's certificate and reports how many days it has left (fractional, negative once
 * expired). Verification is deliberately off: this check measures time to expiry, and an expired,
 * self-signed or internal-CA certificate must still report its days — refusing the handshake would
 * hide the very number the alert rules need. Whether the certificate is trusted is noted in
 * `detail`; the http check is where trust is enforced. `ok` is false only once it has expired (or
 * is not valid yet); "expires in less than N days" is an alert rule on `tlsDaysLeft`.
 */
export async function run(check: TlsCheck, now: () => Date): Promise<CheckOutcome> {
  const at = now();
  const base = { check: check.name, kind: "tls" as const, target: targetOf(check), time: at.toISOString() };
  try {
    const hs = await withDeadline(check.timeout, (signal) => handshake(check, signal));
    const daysLeft = (hs.notAfter.getTime() - at.getTime()) / DAY_MS;
    const expiry =
      daysLeft >= 0 ? `certificate expires in ${daysLeft.toFixed(1)} days` : `certificate expired ${(-daysLeft).toFixed(1)} days ago`;
    const notes = [`${expiry} (${hs.notAfter.toISOString()})`, hs.subject, ...(hs.untrusted ? [`not trusted here: ${hs.untrusted}`] : [])];
    return {
      ...base,
      ok: daysLeft > 0,
      latencyMs: hs.latencyMs,
      tlsDaysLeft: daysLeft,
      tlsNotAfter: hs.notAfter.toISOString(),
      detail: notes.join("; "),
    };
  } catch (err) {
    return { ...base, ok: false, detail: describeNetworkError(err) };
  }
}

function targetOf(check: TlsCheck): string {
  const address = hostPort(check.host, check.port);
  return check.servername && check.servername !== check.host ? `${address} (SNI ${check.servername})` : address;
}

/** Connects and reads the certificate the server presents (shared with the subscription worker's certificate source). */
export function handshake(check: Pick<TlsCheck, "host" | "port" | "servername">, signal: AbortSignal): Promise<Handshake> {
  const started = performance.now();
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
      const latencyMs = elapsedMs(started);
      const cert = socket.getPeerX509Certificate();
      const untrusted = socket.authorized ? undefined : describeAuthorizationError(socket.authorizationError, servername);
      socket.destroy();
      if (!cert) return reject(new Error("the server sent no certificate"));
      // validTo is OpenSSL's "Dec  3 07:15:00 2026 GMT", which Date parses; Node 20 has no validToDate.
      const notAfter = new Date(cert.validTo);
      if (Number.isNaN(notAfter.getTime())) return reject(new Error(`unreadable certificate expiry ${JSON.stringify(cert.validTo)}`));
      resolve({ notAfter, subject: cert.subject.replace(/\n/g, ", "), latencyMs, ...(untrusted ? { untrusted } : {}) });
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
