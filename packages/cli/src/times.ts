/** How long ago a time was, short: 45s, 12m, 3h, 2d. */
export function ago(iso: string, now = Date.now()): string {
  return span(now - Date.parse(iso));
}

/** How long until a time, short (0s once it is past). */
export function until(iso: string, now = Date.now()): string {
  return span(Date.parse(iso) - now);
}

function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}

/** A time in the local zone, to the second: 2026-11-23 06:12:00. */
export function when(iso: string | undefined): string {
  if (!iso) return "?";
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
