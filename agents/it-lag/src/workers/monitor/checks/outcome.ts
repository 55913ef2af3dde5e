import type { CheckResult } from "@lag/contracts";

/** A check's result before the runner stamps this monitor's host on it. */
export type CheckOutcome = Omit<CheckResult, "host">;

/** Milliseconds since `started` (a performance.now() reading), to a microsecond: enough for loopback. */
export function elapsedMs(started: number): number {
  return Math.round((performance.now() - started) * 1000) / 1000;
}
