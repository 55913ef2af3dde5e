import { fileURLToPath } from "node:url";
import {
  approvalAsked,
  approvalDecided,
  dailyReport,
  mailApprovalsInbox,
  mailIncidentsInbox,
  mailService,
  notification,
} from "@lag/contracts";
import { consume, defineWorker, schedule, serve, type Binding } from "@lag/worker";
import { itConfig } from "../../config.ts";
import { MailAcks } from "./acks.ts";
import { AlertMailer } from "./alert-mailer.ts";
import { MailApprovals } from "./approvals.ts";
import { Digests } from "./digests.ts";
import { Classifiers } from "./inbound/classify.ts";
import { ReadBook } from "./inbound/read-book.ts";
import { MailReader } from "./inbound/reader.ts";
import { MailboxWatcher } from "./inbound/watcher.ts";
import { MailQueue } from "./outgoing/queue.ts";
import { MailSender } from "./outgoing/sender.ts";
import { mailHandlers } from "./service.ts";
import * as schema from "./store/schema.ts";

/** `LAG <lag@lagrieta.es>` → `lag@lagrieta.es`. */
const addressOf = (from: string) => from.match(/<([^>]+)>/)?.[1] ?? from.trim();

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * IT_LAG's mail worker: critical notifications mailed at once, a daily digest and a weekly
 * summary, approvals that ask a person mailed with a reply code; and the mailbox watched over IMAP,
 * its notification mails turned into events and approval replies into decisions.
 */
export const mailWorker = defineWorker({
  name: "it-mail",
  principal: "it-mail",
  config: itConfig.section("mail"),
  store: { schema, migrationsFolder },

  setup(ctx) {
    const { config: cfg, bus, log, outbox, clock } = ctx;
    const db = ctx.store.db;
    const host = cfg.host!;
    const queue = new MailQueue(db, host);
    const sender = new MailSender({
      queue,
      smtp: cfg.smtp,
      from: cfg.from,
      outbox,
      clock,
      log,
      retryMin: cfg.retryMin,
      retryMax: cfg.retryMax,
    });
    const alerts = new AlertMailer({ cfg, db, queue, clock, log, replies: cfg.imap !== undefined });
    const digests = new Digests({ cfg, host, db, queue, bus, clock, log });
    const approvals = new MailApprovals({ cfg, db, queue, bus, clock, log });
    const acks = new MailAcks({ cfg, bus, log });
    const watcher = cfg.imap
      ? new MailboxWatcher({
          imap: cfg.imap,
          book: new ReadBook(db),
          reader: new MailReader({
            imap: cfg.imap,
            classifiers: new Classifiers(cfg.classifiers),
            approvals,
            acks,
            queue,
            clock,
            self: addressOf(cfg.from),
          }),
          outbox,
          clock,
          log,
        })
      : undefined;
    if (cfg.to.length === 0) log.warn("it.mail.to is empty: alerts and digests are not mailed to anyone");
    if (!cfg.imap) log.info("it.mail.imap is not configured: no mailbox is read");
    log.info(
      {
        host,
        smtp: cfg.smtp ? `${cfg.smtp.host}:${cfg.smtp.port}` : null,
        imap: cfg.imap ? `${cfg.imap.host}:${cfg.imap.port}` : null,
        to: cfg.to,
      },
      "mail ready",
    );
    return { queue, sender, alerts, digests, approvals, watcher };
  },

  bindings(s, { config: cfg, clock }) {
    const out: Binding[] = [
      consume(mailIncidentsInbox, (d) => {
        if (d.is(notification)) {
          if (s.alerts.notified(d.data) === "mailed") s.sender.kick();
        } else if (d.is(dailyReport)) s.digests.keep(d.data);
      }),
      consume(mailApprovalsInbox, (d) => {
        if (d.is(approvalAsked)) {
          if (s.approvals.asked(d.data) > 0) s.sender.kick();
        } else if (d.is(approvalDecided)) s.approvals.decided(d.data);
      }),
      serve(mailService, mailHandlers({ cfg, host: cfg.host!, ...s, clock })),
      schedule("digest", { cron: cfg.digest.daily.cron, timezone: cfg.digest.daily.timezone }, async () => {
        if ((await s.digests.send("daily")).queued) s.sender.kick();
      }),
      schedule("weekly", { cron: cfg.digest.weekly.cron, timezone: cfg.digest.weekly.timezone }, async () => {
        if ((await s.digests.send("weekly")).queued) s.sender.kick();
      }),
      schedule("forget", { every: 3_600_000 }, () => {
        const before = clock.now().getTime() - cfg.keepSent;
        s.queue.prune(before);
        s.approvals.forget(before);
      }),
    ];
    return out;
  },

  started: ({ sender, watcher }) => {
    // What the last run left queued goes first.
    sender.kick();
    watcher?.start();
  },

  stopping: async ({ sender, watcher }) => {
    await watcher?.stop();
    await sender.stop();
  },
});
