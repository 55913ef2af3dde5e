const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/**
 * A date as notices write it, at midnight UTC: 2026-12-08, 12/08/2026 (month first, as US
 * registrars write it, unless the first number cannot be a month), December 8, 2026, Dec. 8 2026,
 * 8 December 2026. Undefined when it is none of these.
 */
export function noticeDate(text: string): Date | undefined {
  const s = text.trim().replace(/\./g, "").replace(/,/g, "");
  let y: number;
  let mo: number;
  let d: number;
  let m = s.match(/^(\d{4})-(\d{2})-(\d{2})/);
  if (m) [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  else if ((m = s.match(/^(\d{1,2})\/(\d{1,2})\/(\d{4})$/))) {
    const a = Number(m[1]);
    const b = Number(m[2]);
    [mo, d] = a > 12 ? [b, a] : [a, b];
    y = Number(m[3]);
  } else if ((m = s.match(/^([a-z]+) (\d{1,2}) (\d{4})$/i))) [mo, d, y] = [monthOf(m[1]!), Number(m[2]), Number(m[3])];
  else if ((m = s.match(/^(\d{1,2}) ([a-z]+) (\d{4})$/i))) [d, mo, y] = [Number(m[1]), monthOf(m[2]!), Number(m[3])];
  else return undefined;
  if (!(mo >= 1 && mo <= 12 && d >= 1 && d <= 31)) return undefined;
  const at = new Date(Date.UTC(y, mo - 1, d));
  return at.getUTCDate() === d ? at : undefined;
}

function monthOf(name: string): number {
  return MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;
}
