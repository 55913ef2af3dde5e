/** Plain-data trees as YAML and the environment give them: nested objects, arrays and scalars. */
export type Segment = string | number;

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** `over` wins; mappings merge key by key, anything else (lists included) is replaced whole. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isRecord(base) || !isRecord(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(base[k], v);
  return out;
}

/**
 * Sets `value` at `segments` inside `root` (mutated; intermediate mappings are created) and returns
 * the path actually written: a numeric segment indexes an existing list (`RULES__2__FOR` →
 * `rules[2].for`), elsewhere it is a mapping key.
 */
export function setPath(root: Record<string, unknown>, segments: readonly string[], value: unknown): Segment[] {
  const written: Segment[] = [];
  let node: Record<string, unknown> | unknown[] = root;
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    const key: Segment = Array.isArray(node) && /^\d+$/.test(seg) ? Number(seg) : seg;
    written.push(key);
    const container = node as Record<Segment, unknown>;
    if (last) {
      container[key] = value;
      return;
    }
    const next = container[key];
    if (isRecord(next) || Array.isArray(next)) {
      node = next;
    } else {
      const fresh: Record<string, unknown> = {};
      container[key] = fresh;
      node = fresh;
    }
  });
  return written;
}

/** True when `path` is `prefix` or lies below it. */
export function startsWith(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.length <= path.length && prefix.every((p, i) => String(p) === String(path[i]));
}
