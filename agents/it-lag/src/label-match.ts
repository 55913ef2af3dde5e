/**
 * `match:` of a rule: label values the series must have. A value is a glob where `*` stands for any
 * run of characters (`immich-*`, `/mnt/*`); a leading `!` negates it, so one-shot containers can be
 * left out of "container not running" (`container: "!*-migrate"`). Everything else is literal:
 * mount paths and container names contain `.` and `/`, which must not act as pattern syntax.
 */
export type LabelMatcher = (labels: Readonly<Record<string, string>>) => boolean;

export function globToRegExp(glob: string): RegExp {
  const body = glob
    .split("*")
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${body}$`, "s");
}

function valueMatcher(pattern: string): (value: string | undefined) => boolean {
  const negated = pattern.startsWith("!");
  const re = globToRegExp(negated ? pattern.slice(1) : pattern);
  // A series without the label never matches a positive pattern, and always matches a negated one:
  // `role: "!backup"` should keep the mounts that have no role at all.
  return negated ? (v) => v === undefined || !re.test(v) : (v) => v !== undefined && re.test(v);
}

export function compileMatch(match: Readonly<Record<string, string>> | undefined): LabelMatcher {
  const tests = Object.entries(match ?? {}).map(([key, pattern]) => [key, valueMatcher(pattern)] as const);
  if (tests.length === 0) return () => true;
  return (labels) => tests.every(([key, test]) => test(labels[key]));
}
