/** `1.4.2`, `v1.4.2`, `1.4` (a missing part is 0); undefined for `latest`, `1.4.2-rc1` (pre-releases are never "newer") or `2024-05`. */
export function parseSemver(tag: string): { prefix: string; parts: [number, number, number] } | undefined {
  const m = tag.match(/^(v?)(\d+)\.(\d+)(?:\.(\d+))?$/);
  if (!m) return undefined;
  return { prefix: m[1]!, parts: [Number(m[2]), Number(m[3]), Number(m[4] ?? 0)] };
}

function compare(a: [number, number, number], b: [number, number, number]): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}

/** The tags newer than `current` in semver order, newest first, written the same way (`v` or not); none when `current` is not a version. */
export function newerTags(current: string, tags: readonly string[]): string[] {
  const cur = parseSemver(current);
  if (!cur) return [];
  return tags
    .map((t) => ({ t, v: parseSemver(t) }))
    .filter(
      (x): x is { t: string; v: NonNullable<ReturnType<typeof parseSemver>> } =>
        !!x.v && x.v.prefix === cur.prefix && compare(x.v.parts, cur.parts) > 0,
    )
    .sort((a, b) => compare(b.v.parts, a.v.parts))
    .map((x) => x.t);
}
