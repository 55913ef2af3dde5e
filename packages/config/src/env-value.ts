import { parse } from "yaml";

/**
 * What an environment variable's text means. Numbers, booleans and flow lists/mappings are read as
 * YAML (`5`, `true`, `[a, b]`), a quoted text is unquoted (`"5"` is the string 5), and anything else
 * is kept exactly as written: a password such as `#secret` or `a: b` must not turn into a YAML
 * comment or a mapping.
 */
export function envValue(raw: string): unknown {
  const text = raw.trim();
  const flow = text.startsWith("[") || text.startsWith("{");
  const quoted = /^(".*"|'.*')$/s.test(text);
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch {
    return raw;
  }
  if (flow || quoted) return parsed;
  if (typeof parsed === "number" || typeof parsed === "boolean") return parsed;
  if (parsed === null && /^(null|~)$/i.test(text)) return null;
  return raw;
}

/** `STORAGE_CHECK_INTERVAL` → `storageCheckInterval`; a segment with lower case is kept as written (record keys). */
export function segmentKey(segment: string): string {
  if (/[a-z]/.test(segment)) return segment;
  return segment.toLowerCase().replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
