import type { TlsCheck } from "./check-config.ts";
import { withDeadline } from "@lag/async";
import { readCertificate } from "../../../tls-certificate.ts";
import { describeNetworkError } from "./network-errors.ts";
import { elapsedMs, type CheckOutcome } from "./outcome.ts";
import { hostPort } from "../../../host-port.ts";

const DAY_MS = 86_400_000;

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
    const started = performance.now();
    const hs = await withDeadline(check.timeout, (signal) => readCertificate(check, signal));
    const latencyMs = elapsedMs(started);
    const daysLeft = (hs.notAfter.getTime() - at.getTime()) / DAY_MS;
    const expiry =
      daysLeft >= 0 ? `certificate expires in ${daysLeft.toFixed(1)} days` : `certificate expired ${(-daysLeft).toFixed(1)} days ago`;
    const notes = [`${expiry} (${hs.notAfter.toISOString()})`, hs.subject, ...(hs.untrusted ? [`not trusted here: ${hs.untrusted}`] : [])];
    return {
      ...base,
      ok: daysLeft > 0,
      latencyMs,
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
