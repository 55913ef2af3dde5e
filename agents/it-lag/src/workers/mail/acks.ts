import { ServiceError, type Bus } from "@lag/bus";
import { incidentsService, type MailIn } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { MailConfig } from "./config.ts";
import { readAck } from "./inbound/replies.ts";
import type { MailQueue } from "./outgoing/queue.ts";

type AckOutcome = Pick<Extract<MailIn, { kind: "ack-reply" }>, "incident" | "outcome" | "reason">;

/** The Message-IDs of LAG's alert mails. */
const ALERT_MESSAGE = /<alert-[^>\s]+@lag\.[^>\s]+>/gi;

/**
 * Acknowledging an incident by replying `ACK` (and a note) to its alert mail: the reminders stop,
 * the time counts for MTTA — as `lag incidents ack`, with the address as who. Only a recipient of
 * the alerts, authenticated by the receiving server, replying to a mail LAG sent about that incident.
 */
export class MailAcks {
  private readonly recipients: Set<string>;

  constructor(private readonly o: { cfg: MailConfig; queue: MailQueue; bus: Bus; log: Logger; requireAuthentication: boolean }) {
    this.recipients = new Set(o.cfg.to.map((a) => a.toLowerCase()));
  }

  /** The incident of the alert mail these references name, if one does. */
  incidentOf(references: string): string | undefined {
    for (const id of references.match(ALERT_MESSAGE) ?? []) {
      const incident = this.o.queue.incidentOf(id);
      if (incident) return incident;
    }
    return undefined;
  }

  /** Throws only when it-incidents cannot be asked (the mail is read again later). */
  async reply(m: {
    from: string;
    text: string;
    references: string;
    messageId: string;
    authenticated: boolean;
    authWhy: string;
  }): Promise<AckOutcome> {
    const from = m.from.toLowerCase();
    const incident = this.incidentOf(m.references);
    const no = (reason: string): AckOutcome => {
      this.o.log.warn({ from, messageId: m.messageId, incident, reason }, "reply to an alert acknowledges nothing");
      return { outcome: "rejected", reason, ...(incident ? { incident } : {}) };
    };
    if (!incident) return no("not a reply to one of LAG's alert mails");
    const ack = readAck(m.text);
    if (!ack) return no("no ACK in the reply");
    if (!this.recipients.has(from)) return no(`${from || "the sender"} does not get the alerts (it.mail.to)`);
    if (this.o.requireAuthentication && !m.authenticated) return no(`not authenticated: ${m.authWhy}`);
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
