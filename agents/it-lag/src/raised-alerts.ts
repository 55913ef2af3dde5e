import type { Clock } from "@lag/async";
import { type Alert, severityRank, type EventDescriptor, type Severity } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import { alertId, fingerprint } from "./alert-identity.ts";

export interface Raise<R extends string = string> {
  rule: R;
  severity: Severity;
  summary: string;
  labels: Record<string, string>;
  value?: number | null;
  threshold?: number | null;
}

/** Where a worker keeps the alerts it has firing (its own SQLite file). */
export interface FiringStore {
  firing(): Alert[];
  setFiring(a: Alert): void;
  clearFiring(fingerprint: string): void;
}

/**
 * Fires and resolves a worker's own alerts (the alert contract, so they become incidents). What is
 * firing is kept in the worker's store: a restart neither repeats an alert nor forgets to resolve
 * it. Sent through the outbox with ids derived from the alert, so a resend is stored once.
 */
export class RaisedAlerts<R extends string = string> {
  private readonly firingNow = new Map<string, Alert>();

  constructor(
    private readonly o: {
      event: EventDescriptor<string, typeof Alert>;
      store: FiringStore;
      outbox: Outbox;
      clock: Clock;
      log: Logger;
      host: string;
      /** The alert's `source` from its labels (`backup:immich`). */
      source: (labels: Record<string, string>) => string;
    },
  ) {
    for (const a of o.store.firing()) this.firingNow.set(a.fingerprint, a);
  }

  /**
   * Fires the alert unless it is firing already. Firing already: a higher severity (or any, with
   * `again`: a reminder that must be given) is sent again as its next occurrence, so the incident's
   * severity rises; otherwise only its summary is brought up to date.
   */
  fire(r: Raise<R>, opts: { again?: boolean } = {}): void {
    const fp = fingerprint(r.rule, this.o.host, r.labels);
    const held = this.firingNow.get(fp);
    if (held && !opts.again && severityRank[r.severity] <= severityRank[held.severity]) {
      if (held.summary !== r.summary) {
        const updated = { ...held, summary: r.summary };
        this.firingNow.set(fp, updated);
        this.o.store.setFiring(updated);
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
      source: this.o.source(r.labels),
      value: r.value ?? null,
      threshold: r.threshold ?? null,
      labels: r.labels,
      startsAt: held?.startsAt ?? this.o.clock.now().toISOString(),
      repeat: held ? held.repeat + 1 : 0,
    };
    // Journalled for sending before it is written down as firing: a crash between the two sends it
    // again at the next failure rather than never.
    this.o.outbox.add(this.o.event, a, { id: alertId(a) });
    this.firingNow.set(fp, a);
    this.o.store.setFiring(a);
    this.o.log.warn({ alert: r.rule, labels: r.labels, severity: r.severity }, a.summary);
    void this.o.outbox.flush();
  }

  /** Resolves the alert if it is firing; `chain` puts the resolution in a chain (an approved action's). */
  resolve(rule: R, labels: Record<string, string>, summary: string, chain: { correlationid?: string; causationid?: string } = {}): void {
    const fp = fingerprint(rule, this.o.host, labels);
    const held = this.firingNow.get(fp);
    if (!held) return;
    const a: Alert = { ...held, status: "resolved", summary, endsAt: this.o.clock.now().toISOString() };
    this.o.outbox.add(this.o.event, a, { id: alertId(a), ...chain });
    this.firingNow.delete(fp);
    this.o.store.clearFiring(fp);
    this.o.log.info({ alert: rule, labels }, summary);
    void this.o.outbox.flush();
  }

  /** The alerts firing now. */
  firing(): Alert[] {
    return [...this.firingNow.values()];
  }
}
