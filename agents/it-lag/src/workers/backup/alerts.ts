import type { Clock } from "@lag/async";
import { backupAlert } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import { RaisedAlerts } from "../../raised-alerts.ts";
import type { Catalogue } from "./store/catalogue.ts";

/** The backup worker's alert rules; `docs/backups.md` says what each means and what to do. */
export type BackupRule = "backup-failed" | "backup-missed" | "backup-check-failed" | "backup-drill-failed" | "backup-anomaly";

/** The backup worker's alerts, kept firing in its catalogue. */
export class BackupAlerts extends RaisedAlerts<BackupRule> {
  constructor(o: { catalogue: Catalogue; outbox: Outbox; clock: Clock; log: Logger; host: string }) {
    super({ ...o, event: backupAlert, store: o.catalogue, source: (labels) => `backup:${labels.plan ?? "all"}` });
  }

  /** Resolves every firing alert of a plan that is no longer configured. */
  forgetPlansOtherThan(plans: ReadonlySet<string>): void {
    for (const a of this.firing()) {
      const plan = a.labels.plan;
      if (plan && !plans.has(plan)) this.resolve(a.rule as BackupRule, a.labels, `plan ${plan} is no longer configured`);
    }
  }
}
