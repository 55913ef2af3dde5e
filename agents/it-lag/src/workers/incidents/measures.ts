import { isoWeek, severityRank, type Measures, type Severity } from "@lag/contracts";

/** What to do about an alert that keeps coming back, by its rule. */
function suggestion(rule: string, times: number): string {
  if (rule.startsWith("container-"))
    return `fires ${times} times in 7 days: look at the container's logs and resources, pin its image, or add a health check that reflects real failure`;
  if (rule.startsWith("disk-") || rule.startsWith("inodes-"))
    return `fires ${times} times in 7 days: plan space (clean-up, retention, a bigger disk) instead of freeing it by hand`;
  if (rule.startsWith("check-"))
    return `fires ${times} times in 7 days: the service or its route is unstable; check its dependency and timeouts`;
  return `fires ${times} times in 7 days: find what it keeps coming from, or tune the rule (for, recover) if it is noise`;
}

/**
 * Time to acknowledge and to resolve per severity, incidents per week, and repeating patterns (the
 * same fingerprint at least `atLeast` times in 7 days). Pure, over what the store returns.
 */
export function measure(
  rows: readonly { severity: string; openedAt: number; ackedAt: number | null; resolvedAt: number | null }[],
  firings: readonly { fingerprint: string; rule: string; host: string; times: number }[],
  since: number,
  atLeast: number,
): Measures {
  const by = new Map<Severity, { n: number; ack: number[]; res: number[] }>();
  const weeks = new Map<string, number>();
  for (const r of rows) {
    const s = r.severity as Severity;
    const m = by.get(s) ?? { n: 0, ack: [], res: [] };
    m.n++;
    if (r.ackedAt !== null) m.ack.push((r.ackedAt - r.openedAt) / 1000);
    if (r.resolvedAt !== null) m.res.push((r.resolvedAt - r.openedAt) / 1000);
    by.set(s, m);
    const w = isoWeek(r.openedAt);
    weeks.set(w, (weeks.get(w) ?? 0) + 1);
  }
  const mean = (xs: number[]) => (xs.length === 0 ? null : Math.round(xs.reduce((a, b) => a + b, 0) / xs.length));
  return {
    since: new Date(since).toISOString(),
    bySeverity: [...by.entries()]
      .sort((a, b) => severityRank[b[0]] - severityRank[a[0]])
      .map(([severity, m]) => ({ severity, incidents: m.n, mttaSec: mean(m.ack), mttrSec: mean(m.res) })),
    perWeek: [...weeks.entries()].sort().map(([week, opened]) => ({ week, opened })),
    patterns: firings
      .filter((f) => f.times >= atLeast)
      .sort((a, b) => b.times - a.times)
      .map((f) => ({ fingerprint: f.fingerprint, rule: f.rule, host: f.host, times: f.times, suggestion: suggestion(f.rule, f.times) })),
  };
}
