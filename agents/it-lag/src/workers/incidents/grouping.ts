import type { Alert } from "@lag/contracts";

/** The labels an alert's object can be named by, in order: what a `object` in `groupBy` stands for. */
const OBJECT_LABELS = ["container", "mount", "check", "iface", "sensor", "core", "store", "plan", "repository", "subscription"] as const;

/** Every label an alert can be matched and grouped by: its own labels plus host, rule, severity and source. */
export function alertLabels(a: Alert): Record<string, string> {
  return { ...a.labels, host: a.host, rule: a.rule, severity: a.severity, source: a.source };
}

/** The object an alert is about: its container, mount, check …, or its rule when it has none. */
export function objectOf(a: Alert): { label: string; value: string } {
  for (const l of OBJECT_LABELS) if (a.labels[l] !== undefined) return { label: l, value: a.labels[l]! };
  return { label: "rule", value: a.rule };
}

/**
 * The group an alert belongs to, as Alertmanager's `group_by`: the values of the grouping labels.
 * `object` stands for the alert's object (see objectOf); a label the alert lacks is left out.
 */
export function groupOf(a: Alert, groupBy: readonly string[]): { key: string; labels: Record<string, string> } {
  const all = alertLabels(a);
  const labels: Record<string, string> = {};
  for (const g of groupBy) {
    if (g === "object") {
      const o = objectOf(a);
      labels[o.label] = o.value;
    } else if (all[g] !== undefined) labels[g] = all[g]!;
  }
  const key = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(",");
  return { key, labels };
}

/** A token for ids: lower case, letters, digits and dashes, at most 24 characters. */
export function slugOf(value: string): string {
  return (
    value
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 24) || "x"
  );
}
