import { fileURLToPath } from "node:url";
import { RejectedMessage, ServiceError } from "@lag/bus";
import {
  alert,
  approvalsService,
  ceoApprovalsInbox,
  ceoIncidentsInbox,
  ceoItInbox,
  dailyReport,
  notification,
  reportsService,
  type ApprovalRequest,
} from "@lag/contracts";
import { consume, defineWorker, schedule, serve } from "@lag/worker";
import { ApprovalBook } from "./approvals/approval-book.ts";
import { ceoConfig } from "./config.ts";
import { Inbox } from "./inbox/inbox.ts";
import { ReportKeeper } from "./reports/report-keeper.ts";
import * as schema from "./schema.ts";

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * CEO_LAG: decides approvals (by policy, or keeps them for a person until they expire), keeps an
 * auditable inbox of every IT alert, report and incident, and the daily reports.
 */
export const ceoWorker = defineWorker({
  name: "ceo",
  principal: "ceo",
  config: ceoConfig,
  store: { schema, migrationsFolder },
  setup: ({ store, config, outbox, log }) => {
    const approvals = new ApprovalBook(store.db, config.approvals, outbox, log);
    const republished = approvals.republish();
    if (republished > 0) log.info({ republished }, "decisions sent again after a restart");
    return { inbox: new Inbox(store.db), approvals, reports: new ReportKeeper(store.db, config.reports.keep) };
  },
  bindings: ({ inbox, approvals, reports }, { log, clock, config }) => {
    const now = () => clock.now().getTime();
    const notFound = (id: string) => new ServiceError(404, `no approval request ${id}`);
    return [
      consume(ceoItInbox, (d) => {
        const fresh = inbox.record(d);
        if (!fresh) return;
        if (d.is(alert) && d.data.status === "firing" && d.data.severity === "critical") {
          log.warn({ host: d.data.host, rule: d.data.rule, summary: d.data.summary }, "critical IT alert received");
        } else {
          log.info({ type: d.envelope.type, subject: d.subject }, "IT event archived");
        }
      }),
      consume(ceoApprovalsInbox, (d) => {
        const q = d.data as ApprovalRequest;
        // The subject (which permissions tie to its publisher) says who asked; the body must agree.
        if (d.event.publisher !== q.requester)
          throw new RejectedMessage(`request ${q.id} names requester ${q.requester} but came from ${d.event.publisher}`);
        const { record, fresh } = approvals.receive(q, now(), d.envelope.id);
        if (fresh)
          log.info(
            { requestId: q.id, requester: q.requester, action: q.action.kind, policy: record.policy, state: record.state },
            record.state === "pending" ? "approval request waits for a person" : "approval request decided by policy",
          );
      }),
      consume(ceoIncidentsInbox, (d) => {
        if (!inbox.record(d)) return;
        if (d.is(dailyReport)) {
          reports.store(d.data, now());
          log.info({ day: d.data.day, open: d.data.incidents.open.length }, "daily IT report kept");
        } else if (d.is(notification) && d.data.incident.severity === "critical" && d.data.kind !== "resolved") {
          log.warn({ incident: d.data.incident.id, title: d.data.title, needsPerson: d.data.needsPerson }, "critical IT incident");
        }
      }),
      serve(approvalsService, {
        list: ({ state, limit }) => ({ approvals: approvals.list(state, limit) }),
        show: ({ id }) => approvals.show(id) ?? Promise.reject(notFound(id)),
        decide: ({ id, decision, by, channel, note }) => {
          const before = approvals.show(id);
          if (!before) throw notFound(id);
          const after = approvals.decide(id, decision, by, channel, note, now())!;
          return { ...after, decidedNow: before.state === "pending" && after.state !== "pending" };
        },
        cancel: ({ id, requester, reason }) => {
          const r = approvals.show(id);
          if (!r) throw notFound(id);
          if (r.request.requester !== requester)
            throw new ServiceError(403, `request ${id} was made by ${r.request.requester}, not ${requester}`);
          return approvals.cancel(id, reason, now())!;
        },
        budget: () => approvals.budget(now()),
      }),
      serve(reportsService, {
        latest: ({ weekly }) => {
          const [daily] = reports.latest(1);
          const week = weekly ? reports.weekly() : undefined;
          return { ...(daily ? { daily } : {}), ...(week ? { weekly: week } : {}), kept: reports.count() };
        },
      }),
      schedule("approvals-expiry", { every: config.approvals.expiryCheck }, () => {
        const n = approvals.expire(now());
        if (n > 0) log.info({ expired: n }, "approval requests expired");
      }),
    ];
  },
});
