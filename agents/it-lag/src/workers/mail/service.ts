import type { Clock } from "@lag/async";
import { ServiceError, type ServiceHandlers } from "@lag/bus";
import { compactTime, type mailService } from "@lag/contracts";
import type { MailConfig } from "./config.ts";
import type { Digests } from "./digests.ts";
import type { MailQueue } from "./outgoing/queue.ts";
import type { MailSender } from "./outgoing/sender.ts";

/** How long `lag mail test` waits for the SMTP server to take the mail. */
const TEST_WAIT_MS = 20_000;

export function mailHandlers(o: {
  cfg: MailConfig;
  host: string;
  queue: MailQueue;
  sender: MailSender;
  digests: Digests;
  clock: Clock;
}): ServiceHandlers<typeof mailService> {
  return {
    test: async ({ to }) => {
      const now = o.clock.now();
      const id = `test-${compactTime(now)}-${Math.random().toString(36).slice(2, 6)}`;
      const rcpt = to ?? o.cfg.to;
      if (rcpt.length === 0) throw new ServiceError(400, "nobody to send it to: set it.mail.to or pass --to");
      if (!o.cfg.smtp) throw new ServiceError(400, "it.mail.smtp is not configured: nothing can be sent (docs/mail.md)");
      const text = [
        `A test mail from IT_LAG on ${o.host}, sent at ${now.toISOString()}.`,
        "",
        `It left through ${o.cfg.smtp.host}:${o.cfg.smtp.port} (${o.cfg.smtp.security}).`,
        "Alerts, the daily digest and approval mails take the same way.",
      ].join("\n");
      o.queue.add({ id, purpose: "test", to: rcpt, subject: `[LAG] test mail from ${o.host}`, text }, now.getTime());
      o.sender.kick();
      await o.sender.waitFor(id, TEST_WAIT_MS);
      const row = o.queue.get(id)!;
      const status = row.state === "sent" ? "sent" : row.state === "failed" ? "failed" : "queued";
      return {
        id,
        to: rcpt,
        status,
        messageId: row.messageId,
        ...(row.lastError && status !== "sent" ? { error: row.lastError } : {}),
      };
    },
    digest: async ({ kind, send }) => {
      if (send) {
        const r = await o.digests.send(kind);
        o.sender.kick();
        return { kind, ...r.rendered, ...(r.queued ? { queued: r.id } : {}) };
      }
      return { kind, ...(kind === "daily" ? await o.digests.daily() : await o.digests.weekly()) };
    },
    queue: ({ state, limit }) => ({ mails: o.queue.list(state, limit), queued: o.queue.queued() }),
  };
}
