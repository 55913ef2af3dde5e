import type { Bus } from "@lag/bus";
import { backupProgress, type InferEvent } from "@lag/contracts";

type Progress = InferEvent<typeof backupProgress>;

/**
 * Publishes how far a backup, restore or drill is, at most once per `intervalMs` (restic prints its
 * status several times a second). Core NATS: a lost progress message is replaced by the next one.
 */
export function progressPublisher(
  bus: Bus,
  intervalMs: number,
  base: Pick<Progress, "plan" | "runId" | "repository" | "operation">,
  now: () => number,
): (p: Omit<Progress, "plan" | "runId" | "repository" | "operation">) => void {
  let last = 0;
  return (p) => {
    const t = now();
    if (t - last < intervalMs) return;
    last = t;
    try {
      bus.emit(backupProgress, { ...base, ...p, percent: Math.max(0, Math.min(100, p.percent)) });
    } catch {
      // Disconnected: the next status says it all again.
    }
  };
}
