import { z } from "zod";

export const Severity = z.enum(["critical", "high", "medium", "low"]);
export type Severity = z.infer<typeof Severity>;
export const severityRank: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1 };

/** A host as a subject token: the name configured for the monitor (kronos, nas). */
export const HostName = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "lower-case letters, digits, _ and - only (it is a subject token)");

/** Names of rules and checks are subject tokens too. */
export const Slug = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, "lower-case letters, digits, _ and - only (it is a subject token)");

export const IsoTime = z.iso.datetime({ offset: true });
export const Bytes = z.number().nonnegative();

/** `20261123-030000`: a time in UTC to the second, for ids that sort by it (`inc-…`, `run-…`). */
export function compactTime(at: Date): string {
  const iso = at.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, "")}-${iso.slice(11, 19).replace(/:/g, "")}`;
}

/** ISO week of a time: 2026-W48. */
export function isoWeek(ms: number): string {
  const d = new Date(ms);
  // The week's Thursday decides its year (ISO 8601).
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 4 - (d.getUTCDay() || 7)));
  const week = Math.ceil(((t.getTime() - Date.UTC(t.getUTCFullYear(), 0, 1)) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** A byte count for people: `734.0 MiB` (binary units, as restic and df -h print them). */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/**
 * A volume's use as a trend: the change in percentage points over `days`, and in how many days it
 * is full at that pace (only when it grows by more than 0.01 points a day).
 */
export function storageTrend(
  usedPctThen: number,
  usedPctNow: number,
  days: number,
): { deltaPct: number; days: number; fullInDays?: number } {
  const deltaPct = usedPctNow - usedPctThen;
  const perDay = deltaPct / days;
  return { deltaPct, days, ...(perDay > 0.01 ? { fullInDays: (100 - usedPctNow) / perDay } : {}) };
}
export const Percent = z.number().min(0).max(100);
