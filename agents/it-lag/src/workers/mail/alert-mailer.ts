import { eq } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { Clock } from "@lag/async";
import type { Notification } from "@lag/contracts";
import type { Logger } from "@lag/log";
import { alertMail } from "./compose/alert.ts";
import type { MailConfig } from "./config.ts";
import type { MailQueue } from "./outgoing/queue.ts";
import { notifications } from "./store/schema.ts";

type Db = BetterSQLite3Database<Record<string, unknown>>;
type Outcome = "mailed" | "digest" | "throttled" | "no-recipients";

/**
 * Which notifications become a mail at once: critical ones and those of the configured rules
 * (failed backups), at most one per incident per repeat interval, and the all-clear of one that
 * was mailed. The rest wait for the digest. Each notification is decided once (its id).
 */
export class AlertMailer {
  /** `replies`: the mailbox is read, so a reply ACK acknowledges (the mail says so). */
  constructor(private readonly o: { cfg: MailConfig; db: Db; queue: MailQueue; clock: Clock; log: Logger; replies: boolean }) {}

  /** Returns what became of it; undefined when it was seen before. */
  notified(n: Notification): Outcome | undefined {
    const known = this.o.db.select({ id: notifications.id }).from(notifications).where(eq(notifications.id, n.id)).get();
    if (known) return undefined;
    const now = this.o.clock.now().getTime();
    const outcome = this.decide(n, now);
    this.o.db.transaction(() => {
      if (outcome === "mailed") this.o.queue.add(alertMail(n, this.o.cfg.to, this.o.replies), now);
      this.o.db
        .insert(notifications)
        .values({ id: n.id, incident: n.incident.id, kind: n.kind, severity: n.incident.severity, at: now, outcome })
        .onConflictDoNothing()
        .run();
    });
    this.o.log.info(
      { notification: n.id, incident: n.incident.id, kind: n.kind, severity: n.incident.severity, outcome },
      `notification ${outcome}`,
    );
    return outcome;
  }

  private decide(n: Notification, now: number): Outcome {
    const { alerts, to } = this.o.cfg;
    const i = n.incident;
    const mailedBefore = this.o.queue.lastAbout(i.id, "alert");
    if (n.kind === "resolved") {
      if (!alerts.resolved || mailedBefore === undefined) return "digest";
      return to.length === 0 ? "no-recipients" : "mailed";
    }
    const urgent = alerts.severities.includes(i.severity) || i.rules.some((r) => alerts.rules.includes(r));
    if (!urgent) return "digest";
    if (to.length === 0) return "no-recipients";
    if (mailedBefore !== undefined && now - mailedBefore < alerts.repeatInterval) return "throttled";
    return "mailed";
  }
}
