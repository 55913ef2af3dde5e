/** `web at [0], [6]` for each name used more than once in a config list (checks, rules). */
export function duplicateNames(items: readonly unknown[]): string[] {
  const at = new Map<string, number[]>();
  items.forEach((item, i) => {
    const name = isRecord(item) ? item["name"] : undefined;
    if (typeof name === "string") at.set(name, [...(at.get(name) ?? []), i]);
  });
  return [...at].filter(([, idx]) => idx.length > 1).map(([name, idx]) => `${name} at ${idx.map((i) => `[${i}]`).join(", ")}`);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
