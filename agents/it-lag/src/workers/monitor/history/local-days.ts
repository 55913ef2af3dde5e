/** A calendar day in a time zone, as the instants it spans. */
export interface LocalDay {
  /** YYYY-MM-DD in that zone. */
  day: string;
  fromMs: number;
  toMs: number;
}

function parts(t: number, timeZone: string): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const f = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(t));
  const get = (type: string) => Number(f.find((p) => p.type === type)?.value);
  return { y: get("year"), m: get("month"), d: get("day"), h: get("hour"), min: get("minute"), s: get("second") };
}

/** How far the zone's wall clock is ahead of UTC at `t`. */
function offsetMs(t: number, timeZone: string): number {
  const p = parts(t, timeZone);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s) - (t - (((t % 1000) + 1000) % 1000));
}

/** The instant the zone's day y-m-d starts (DST changes happen at night, never at midnight, in the zones LAG serves). */
function midnight(y: number, m: number, d: number, timeZone: string): number {
  const wall = Date.UTC(y, m - 1, d);
  let t = wall;
  for (let i = 0; i < 3; i++) t = wall - offsetMs(t, timeZone);
  return t;
}

/** The last `n` days in the zone, oldest first, the one holding `now` last (it ends at its midnight, in the future). */
export function lastLocalDays(now: number, n: number, timeZone: string): LocalDay[] {
  const today = parts(now, timeZone);
  const out: LocalDay[] = [];
  for (let i = n - 1; i >= 0; i--) {
    const start = new Date(Date.UTC(today.y, today.m - 1, today.d - i));
    const next = new Date(Date.UTC(today.y, today.m - 1, today.d - i + 1));
    out.push({
      day: start.toISOString().slice(0, 10),
      fromMs: midnight(start.getUTCFullYear(), start.getUTCMonth() + 1, start.getUTCDate(), timeZone),
      toMs: midnight(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone),
    });
  }
  return out;
}
