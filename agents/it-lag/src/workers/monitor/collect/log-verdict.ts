import type { DynDnsStatus, JobStatus } from "@lag/contracts";

/** What the host printed about one file: its modification time (unix s) and last lines, or that it is missing. */
export interface FileTail {
  file: string;
  mtimeSec?: number;
  lines: string[];
}

export interface Verdict {
  ok: boolean;
  line: string;
  /** The line's own timestamp, when it starts with one. */
  at?: string;
}

const ISO = /^\[?(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)\]?\s*/;

/** The last line of the tail that says failure (checked first: "completed with errors" is a failure) or success. */
export function lastVerdict(lines: readonly string[], success: RegExp, failure: RegExp): Verdict | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (!line) continue;
    const ok = failure.test(line) ? false : success.test(line) ? true : undefined;
    if (ok === undefined) continue;
    const ts = ISO.exec(line);
    const at = ts ? Date.parse(ts[1]!.replace(" ", "T")) : Number.NaN;
    return { ok, line: line.slice(0, 300), ...(Number.isFinite(at) ? { at: new Date(at).toISOString() } : {}) };
  }
  return undefined;
}

/**
 * No-IP's clients: DUC 3 (`noip-duc`, logging "update successful" or "no update needed"
 * with the current address) and the older noip2, and the update protocol's own answers (good,
 * nochg; badauth, nohost, abuse, 911 …), whichever the configured status file or log holds.
 */
const NOIP_OK = /update successful|successfully updated|no update needed|\bnochg\b|\bgood\b|\bunchanged\b|up to date|is current/i;
const NOIP_FAIL = /\b(badauth|nohost|badagent|abuse|!donator|911|error|failed|failure|unable|invalid)\b/i;
const IPV4 = /\b((?:\d{1,3}\.){3}\d{1,3})\b/;

export function noipStatus(tail: FileTail): DynDnsStatus {
  const base = { client: "noip", file: tail.file };
  if (tail.mtimeSec === undefined) return { ...base, ok: false, status: `status file ${tail.file} is missing` };
  const v = lastVerdict(tail.lines, NOIP_OK, NOIP_FAIL);
  const fileTime = new Date(tail.mtimeSec * 1000).toISOString();
  if (!v) return { ...base, ok: false, status: "no update recorded in the status file", at: fileTime };
  const ip = IPV4.exec(v.line)?.[1];
  return { ...base, ok: v.ok, status: v.line.replace(ISO, ""), ...(ip ? { ip } : {}), at: v.at ?? fileTime };
}

export interface JobSpec {
  name: string;
  file: string;
  success: RegExp;
  failure: RegExp;
  maxAgeMs: number;
}

export function jobStatus(spec: JobSpec, tail: FileTail, now: number): JobStatus {
  const base = { name: spec.name, file: spec.file };
  if (tail.mtimeSec === undefined) return { ...base, overdue: true, error: `${spec.file} is missing` };
  const lastRunMs = tail.mtimeSec * 1000;
  const v = lastVerdict(tail.lines, spec.success, spec.failure);
  return {
    ...base,
    ...(v ? { ok: v.ok, line: v.line } : {}),
    lastRun: new Date(lastRunMs).toISOString(),
    overdue: now - lastRunMs > spec.maxAgeMs,
  };
}
