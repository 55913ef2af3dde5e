import { ServiceError, type Bus } from "@lag/bus";
import { incidentsService, type MailIn } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { MailConfig } from "./config.ts";
import { readAck } from "./inbound/replies.ts";

type AckOutcome = Pick<Extract<MailIn, { kind: "ack-reply" }>, "incident" | "outcome" | "reason">;

/**
 * Acknowledging an incident by replying `ACK` (and a note) to its alert mail: the reminders stop,
 * the time counts for MTTA — as `lag incidents ack`, with the address as who. Only a recipient of
 * the alerts, authenticated by the receiving server, replying to a mail LAG sent about that incident.
 */
export class MailAcks {
  private readonly recipients: Set<string>;

  constructor(private readonly o: { cfg: MailConfig; bus: Bus; log: Logger }) {
    this.recipients = new Set(o.cfg.to.map((a) => a.toLowerCase()));
  }

  /**
   * A reply to the alert mail about `incident`; `unauthenticated` says why the sender is not to be
   * believed, when that is so. Throws only when it-incidents cannot be asked (the mail is read again later).
   */
  async reply(m: { from: string; text: string; incident: string; messageId: string; unauthenticated?: string }): Promise<AckOutcome> {
    const from = m.from.toLowerCase();
    const incident = m.incident;
    const no = (reason: string): AckOutcome => {
      this.o.log.warn({ from, messageId: m.messageId, incident, reason }, "reply to an alert acknowledges nothing");
      return { outcome: "rejected", reason, incident };
    };
    const ack = readAck(m.text);
    if (!ack) return no("no ACK in the reply");
    if (!this.recipients.has(from)) return no(`${from || "the sender"} does not get the alerts (it.mail.to)`);
    if (m.unauthenticated) return no(`not authenticated: ${m.unauthenticated}`);
    try {
      const r = await this.o.bus.request(incidentsService.endpoints.ack, {
        id: incident,
        by: from,
        note: ack.note || `by mail (${m.messageId})`,
      });
      if (r.acknowledged && r.acknowledged.by !== from) {
        this.o.log.info({ from, incident, by: r.acknowledged.by }, "incident acknowledged already");
        return { incident, outcome: "already-acknowledged", reason: `acknowledged already by ${r.acknowledged.by}` };
      }
      this.o.log.info({ from, incident }, "incident acknowledged by mail");
      return { incident, outcome: "acknowledged", reason: `acknowledged by ${from}` };
    } catch (err) {
      if (err instanceof ServiceError && err.status === 404) return no(`no incident ${incident} any more`);
      throw err;
    }
  }
}
