/**
 * JSON text that only changes when its content does: object keys sorted (a few well-known keys
 * first, so a reader meets `$schema`, `title`, `description` before the details), two-space
 * indent, final newline. Arrays keep their order: in JSON Schema and AsyncAPI it is meaningful.
 */
const FIRST = ["$schema", "$id", "asyncapi", "info", "title", "version", "description", "type"];

function rank(key: string): number {
  const i = FIRST.indexOf(key);
  return i < 0 ? FIRST.length : i;
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
}

export function stableJson(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 2)}\n`;
}
