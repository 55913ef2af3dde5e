/**
 * A payload as one line: scalar fields as `key=value` (nested keys dotted), short lists of
 * scalars inline, longer lists and deep objects as their size, in the order the data has them.
 * Generic on purpose: it works for every message the contracts will ever have, with no per-type code.
 */
export function summarize(value: unknown, maxLength = 240): string {
  const parts: string[] = [];
  if (isPlainObject(value)) {
    if (Object.keys(value).length === 0) return "{}";
    walk(value, "", parts, 0);
  } else parts.push(scalarOrSize(value));
  const line = parts.join(" ");
  return line.length > maxLength ? `${line.slice(0, maxLength - 1)}…` : line;
}

const MAX_DEPTH = 2;
const MAX_STRING = 80;
const MAX_INLINE_LIST = 4;

function walk(obj: Record<string, unknown>, prefix: string, parts: string[], depth: number): void {
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (isPlainObject(v)) {
      if (depth + 1 >= MAX_DEPTH || Object.keys(v).length === 0) parts.push(`${key}={${Object.keys(v).length}}`);
      else walk(v, key, parts, depth + 1);
    } else {
      parts.push(`${key}=${scalarOrSize(v)}`);
    }
  }
}

function scalarOrSize(v: unknown): string {
  if (Array.isArray(v)) {
    if (v.length <= MAX_INLINE_LIST && v.every((x) => !isPlainObject(x) && !Array.isArray(x))) return `[${v.map(scalar).join(",")}]`;
    return `[${v.length}]`;
  }
  if (isPlainObject(v)) return `{${Object.keys(v).length}}`;
  return scalar(v);
}

function scalar(v: unknown): string {
  if (typeof v === "string") {
    const s = v.length > MAX_STRING ? `${v.slice(0, MAX_STRING - 1)}…` : v;
    // Quoted only when needed, so `host=kronos` stays readable and `summary="disk is full"` stays one field.
    return /^[^\s"=]+$/.test(s) ? s : JSON.stringify(s);
  }
  if (typeof v === "number" && !Number.isInteger(v)) return String(Math.round(v * 1000) / 1000);
  return String(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
