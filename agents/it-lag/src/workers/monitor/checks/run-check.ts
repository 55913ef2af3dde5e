import type { CheckConfig } from "./check-config.ts";
import { run as runDns } from "./dns.ts";
import { run as runHttp } from "./http.ts";
import type { CheckOutcome } from "./outcome.ts";
import { run as runPihole } from "./pihole.ts";
import { run as runPing } from "./ping.ts";
import { run as runTcp } from "./tcp.ts";
import { run as runTls } from "./tls.ts";

/**
 * Runs one check of any kind. It never throws: each kind turns its failures into `ok: false`, and
 * anything that still escapes (a bug) becomes a failed result too, so one broken check cannot stop
 * the others or the monitor.
 */
export async function runCheck(check: CheckConfig, now: () => Date): Promise<CheckOutcome> {
  try {
    switch (check.kind) {
      case "http":
        return await runHttp(check, now);
      case "tcp":
        return await runTcp(check, now);
      case "dns":
        return await runDns(check, now);
      case "tls":
        return await runTls(check, now);
      case "ping":
        return await runPing(check, now);
      case "pihole":
        return await runPihole(check, now);
    }
  } catch (err) {
    return {
      check: check.name,
      kind: check.kind,
      target: check.name,
      ok: false,
      time: now().toISOString(),
      detail: `the check itself failed (a bug in LAG): ${(err as Error).message ?? String(err)}`,
    };
  }
}
