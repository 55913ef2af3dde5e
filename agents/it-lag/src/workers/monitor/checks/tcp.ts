import { connect } from "node:net";
import { hostPort } from "../../../host-port.ts";
import type { TcpCheck } from "./check-config.ts";
import { withDeadline } from "@lag/async";
import { describeNetworkError } from "./network-errors.ts";
import { elapsedMs, type CheckOutcome } from "./outcome.ts";

/**
 * Opens a TCP connection and closes it at once: the port is up when the handshake completes.
 * Nothing is sent, so an SMTP or IMAP server only logs a client that went away.
 */
export async function run(check: TcpCheck, now: () => Date): Promise<CheckOutcome> {
  const base = { check: check.name, kind: "tcp" as const, target: hostPort(check.host, check.port), time: now().toISOString() };
  try {
    const latencyMs = await withDeadline(check.timeout, (signal) => handshake(check.host, check.port, signal));
    return { ...base, ok: true, latencyMs, detail: `connected in ${latencyMs.toFixed(1)} ms` };
  } catch (err) {
    return { ...base, ok: false, detail: describeNetworkError(err) };
  }
}

function handshake(host: string, port: number, signal: AbortSignal): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const abort = () => socket.destroy();
    signal.addEventListener("abort", abort, { once: true });
    socket.once("connect", () => {
      resolve(elapsedMs(started));
      socket.destroy();
    });
    socket.once("error", reject);
    socket.once("close", () => signal.removeEventListener("abort", abort));
  });
}
