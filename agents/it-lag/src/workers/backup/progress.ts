import type { Bus } from "@lag/bus";
import { backupProgress, type InferEvent } from "@lag/contracts";

type Progress = InferEvent<typeof backupProgress>;

/** restic's status line, as `backup` (files_done, bytes_done) or `restore` (files_restored, bytes_restored) prints it. */
export interface ResticStatus {
  percent_done: number;
  total_files?: number | undefined;
  files_done?: number | undefined;
  files_restored?: number | undefined;
  total_bytes?: number | undefined;
  bytes_done?: number | undefined;
  bytes_restored?: number | undefined;
  seconds_remaining?: number | undefined;
}

/** The figures of a progress event from restic's status line. */
export function figuresOf(s: ResticStatus): Omit<Progress, "plan" | "runId" | "repository" | "operation"> {
  const filesDone = s.files_done ?? s.files_restored;
  const bytesDone = s.bytes_done ?? s.bytes_restored;
  return {
    percent: s.percent_done * 100,
    ...(filesDone !== undefined ? { filesDone } : {}),
    ...(s.total_files !== undefined ? { totalFiles: s.total_files } : {}),
    ...(bytesDone !== undefined ? { bytesDone } : {}),
    ...(s.total_bytes !== undefined ? { totalBytes: s.total_bytes } : {}),
    ...(s.seconds_remaining !== undefined ? { secondsRemaining: s.seconds_remaining } : {}),
  };
}

/**
 * Publishes how far a backup, restore or drill is, at most once per `intervalMs` (restic prints its
 * status several times a second). Core NATS: a lost progress message is replaced by the next one.
 */
export function progressPublisher(
  bus: Bus,
  intervalMs: number,
  base: Pick<Progress, "plan" | "runId" | "repository" | "operation">,
  now: () => number,
): (status: ResticStatus) => void {
  let last = 0;
  return (status) => {
    const t = now();
    if (t - last < intervalMs) return;
    last = t;
    const p = figuresOf(status);
    try {
      bus.emit(backupProgress, { ...base, ...p, percent: Math.max(0, Math.min(100, p.percent)) });
    } catch {
      // Disconnected: the next status says it all again.
    }
  };
}
