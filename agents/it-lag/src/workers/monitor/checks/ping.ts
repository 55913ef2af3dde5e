import { CommandError, runCommand, type CommandResult } from "@lag/command";
import type { PingCheck } from "./check-config.ts";
import type { CheckOutcome } from "./outcome.ts";

/** Debian's iputils ping; it holds cap_net_raw, so ICMP works without this process being root. */
const PING = "ping";
/** 0.2 s is the shortest interval iputils allows a non-root user. */
const INTERVAL_S = "0.2";
/** What ping may take beyond its own deadline to print its summary before it is killed. */
const GRACE_MS = 1_000;

export type PingRun = Pick<CommandResult, "code" | "stdout" | "stderr">;

/**
 * ICMP echo through the system `ping` binary: Node has no raw sockets, and a TCP connect would
 * measure a service, not the host. latencyMs is ping's own average round-trip time, which excludes
 * spawning the process. The host is up when any reply comes back; losses are noted in `detail`.
 */
export async function run(check: PingCheck, now: () => Date): Promise<CheckOutcome> {
  const base = { check: check.name, kind: "ping" as const, target: check.host, time: now().toISOString() };
  let out: PingRun;
  try {
    out = await ping(check);
  } catch (err) {
    const missing = err instanceof CommandError && err.code === "LAG_COMMAND_NOT_FOUND";
    return {
      ...base,
      ok: false,
      detail: missing ? "ping is not installed (Debian: apt-get install iputils-ping)" : `cannot run ping: ${(err as Error).message}`,
    };
  }
  return { ...base, ...judgePing(out, check.timeout) };
}

/** ok, latency and detail from ping's output (run with LC_ALL=C, so the summary is in English). */
export function judgePing(out: PingRun, timeoutMs: number): Pick<CheckOutcome, "ok" | "latencyMs" | "detail"> {
  const stats = /(\d+) packets transmitted, (\d+) received/.exec(out.stdout);
  const rtt = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\/([\d.]+) ms/.exec(out.stdout);
  if (!stats) {
    // No summary: ping could not start (unknown host, no permission) and says why on stderr, or was killed.
    const why = out.stderr.trim().replace(/^ping: /, "") || `ping exited with ${out.code ?? "a signal"} after ${timeoutMs} ms`;
    return { ok: false, detail: why };
  }
  const sent = Number(stats[1]);
  const received = Number(stats[2]);
  if (received === 0 || !rtt)
    return { ok: false, detail: `no reply to ${sent} echo request${sent === 1 ? "" : "s"} within ${timeoutMs} ms` };
  const latencyMs = Number(rtt[2]);
  const loss = received < sent ? `, ${sent - received} of ${sent} lost` : "";
  return { ok: true, latencyMs, detail: `${received}/${sent} replies, avg ${latencyMs} ms, max ${rtt[3]} ms${loss}` };
}

function ping(check: PingCheck): Promise<PingRun> {
  // -w: ping's own deadline in whole seconds, after which it prints its summary and exits.
  const deadlineS = Math.max(1, Math.floor(check.timeout / 1000));
  const args = ["-n", "-c", String(check.count), "-i", INTERVAL_S, "-w", String(deadlineS), "--", check.host];
  return runCommand(PING, args, { env: { LC_ALL: "C" }, timeoutMs: Math.max(check.timeout, deadlineS * 1000) + GRACE_MS, killGraceMs: 0 });
}
