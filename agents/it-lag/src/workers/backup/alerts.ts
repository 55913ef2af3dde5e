import type { Clock } from "@lag/async";
import { backupAlert, type Alert, type Severity } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import { alertId, fingerprint } from "../../alert-identity.ts";
import type { Catalogue } from "./store/catalogue.ts";

/** The backup worker's alert rules; `docs/backups.md` says what each means and what to do. */
export type BackupRule = "backup-failed" | "backup-missed" | "backup-check-failed" | "backup-drill-failed" | "backup-anomaly";

export interface Raise {
  rule: BackupRule;
  severity: Severity;
  summary: string;
  labels: Record<string, string>;
  value?: number | null;
  threshold?: number | null;
}

/**
 * Fires and resolves the backup worker's alerts (the alert contract, so they become incidents).
 * What is firing is kept in the catalogue: a restart neither repeats an alert nor forgets to
 * resolve it. Sent through the outbox with ids derived from the alert, so a resend is stored once.
 */
export class BackupAlerts {
  private readonly firing = new Map<string, Alert>();

  constructor(private readonly o: { catalogue: Catalogue; outbox: Outbox; clock: Clock; log: Logger; host: string }) {
    for (const a of o.catalogue.firing()) this.firing.set(a.fingerprint, a);
  }

  /** Fires the alert unless it is firing already (then only its summary is brought up to date). */
  fire(r: Raise): void {
    const fp = fingerprint(r.rule, this.o.host, r.labels);
    const held = this.firing.get(fp);
    if (held) {
      if (held.summary !== r.summary) {
        const updated = { ...held, summary: r.summary };
        this.firing.set(fp, updated);
        this.o.catalogue.setFiring(updated);
      }
      return;
    }
    const a: Alert = {
      fingerprint: fp,
      rule: r.rule,
      host: this.o.host,
      status: "firing",
      severity: r.severity,
      summary: r.summary,
      source: `backup:${r.labels.plan ?? "all"}`,
      value: r.value ?? null,
      threshold: r.threshold ?? null,
      labels: r.labels,
      startsAt: this.o.clock.now().toISOString(),
      repeat: 0,
    };
    // Journalled for sending before it is written down as firing: a crash between the two sends it
    // again at the next failure rather than never.
    this.o.outbox.add(backupAlert, a, { id: alertId(a) });
    this.firing.set(fp, a);
    this.o.catalogue.setFiring(a);
    this.o.log.warn({ alert: r.rule, labels: r.labels }, a.summary);
    void this.o.outbox.flush();
  }

  /** Resolves the alert if it is firing. */
  resolve(rule: BackupRule, labels: Record<string, string>, summary: string): void {
    const fp = fingerprint(rule, this.o.host, labels);
    const held = this.firing.get(fp);
    if (!held) return;
    const a: Alert = { ...held, status: "resolved", summary, endsAt: this.o.clock.now().toISOString() };
    this.o.outbox.add(backupAlert, a, { id: alertId(a) });
    this.firing.delete(fp);
    this.o.catalogue.clearFiring(fp);
    this.o.log.info({ alert: rule, labels }, summary);
    void this.o.outbox.flush();
  }

  /** Resolves every firing alert of a plan that is no longer configured. */
  forgetPlansOtherThan(plans: ReadonlySet<string>): void {
    for (const a of [...this.firing.values()]) {
      const plan = a.labels.plan;
      if (plan && !plans.has(plan)) this.resolve(a.rule as BackupRule, a.labels, `plan ${plan} is no longer configured`);
    }
  }
}
