import type { Severity, Subscription } from "@lag/contracts";
import type { RaisedAlerts } from "../../raised-alerts.ts";
import { datesOf, underWay, type DateKind, type Register } from "./register.ts";

const DAY = 86_400_000;

export type SubscriptionRule = "subscription-expiring" | "subscription-source-failed";

/** Rising with the lead time: a month ahead is low, two weeks medium, a week or less high; passed is critical. */
export function severityFor(leadDays: number): Severity {
  if (leadDays <= 0) return "critical";
  if (leadDays <= 7) return "high";
  if (leadDays <= 14) return "medium";
  return "low";
}

/** `domain lagrieta.es expires in 14 days (2026-12-07, from whois)` and what renewal will do. */
export function summaryOf(s: Subscription, date: DateKind, at: string, daysLeft: number): string {
  const day = at.slice(0, 10);
  const what = `${s.kind} ${s.name}`;
  const when =
    date === "notice"
      ? daysLeft > 0
        ? `last day to renew or cancel without loss in ${Math.ceil(daysLeft)} days (${day})`
        : `notice date ${day} has passed`
      : daysLeft > 0
        ? `expires in ${Math.ceil(daysLeft)} days (${day}${s.expirySource ? `, from ${s.expirySource.kind}` : ""})`
        : `EXPIRED on ${day}`;
  const how = underWay(s)
    ? `renewal ${s.renewalState!.state}: ${s.renewalState!.note}`
    : s.renewal === "auto"
      ? `${s.provider} renews it automatically`
      : s.renewal === "approval"
        ? `renewal through approval${s.cost ? `, ${s.cost.amount} ${s.cost.currency}` : ""}`
        : `renew by hand${s.link ? ` at ${s.link}` : ""}`;
  return `${what} ${when}; ${how}`;
}

/**
 * The lead-time warnings: for each date (expiry, notice), the smallest lead time already reached
 * is warned of once — written down before the alert is raised, so a restart never repeats it, and
 * a worker that was down over a lead time warns of it when it comes back. Each warning raises the
 * subscription's alert again with its severity (so its incident's severity rises); a date moved
 * past every lead time (renewed) resolves it.
 */
export class LeadWarnings {
  constructor(private readonly o: { register: Register; alerts: RaisedAlerts<SubscriptionRule>; defaultLeads: readonly number[] }) {}

  /** Returns the lead times warned of now (for renewals that start with a warning). */
  evaluate(s: Subscription, now: number): { date: DateKind; leadDays: number }[] {
    const given: { date: DateKind; leadDays: number }[] = [];
    const leads = [...(s.leadDays.length > 0 ? s.leadDays : this.o.defaultLeads)].sort((a, b) => b - a);
    const dated = new Set<DateKind>();
    for (const { date, at } of datesOf(s)) {
      dated.add(date);
      const labels = { subscription: s.id, date };
      const daysLeft = (Date.parse(at) - now) / DAY;
      // 0 stands for "passed".
      const reached = [...leads, 0].filter((l) => daysLeft <= l);
      const current = reached.at(-1);
      if (current === undefined) {
        this.o.alerts.resolve("subscription-expiring", labels, `${s.name}: ${date} ${at.slice(0, 10)} is more than ${leads[0]} days away`);
        continue;
      }
      // Lead times skipped while the worker was down are folded into the current one.
      let fresh = false;
      for (const l of reached) fresh = this.o.register.markWarned(s.id, date, at, l, now) || fresh;
      if (!fresh) continue;
      this.o.alerts.fire(
        {
          rule: "subscription-expiring",
          severity: severityFor(current),
          summary: summaryOf(s, date, at, daysLeft),
          labels,
          value: Math.round(daysLeft * 10) / 10,
          threshold: current,
        },
        { again: true },
      );
      given.push({ date, leadDays: current });
    }
    for (const date of ["expiry", "notice"] as const)
      if (!dated.has(date))
        this.o.alerts.resolve("subscription-expiring", { subscription: s.id, date }, `${s.name}: no ${date} date any more`);
    return given;
  }

  /** A subscription removed: its alerts resolved. */
  forget(s: Subscription, why: string): void {
    for (const date of ["expiry", "notice"] as const) this.o.alerts.resolve("subscription-expiring", { subscription: s.id, date }, why);
    this.o.alerts.resolve("subscription-source-failed", { subscription: s.id }, why);
  }
}
