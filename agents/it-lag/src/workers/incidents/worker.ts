import { fileURLToPath } from "node:url";
import {
  alert,
  approvalDecided,
  approvalsService,
  containerMetrics,
  dailyReport,
  hostMetrics,
  incidentsAlertsInbox,
  incidentsDecisions,
  incidentsService,
  statusReport,
  type Alert,
  type ContainersSnapshot,
  type IncidentSummary,
  type StatusReport,
} from "@lag/contracts";
import { consume, defineWorker, schedule, serve, subscribe } from "@lag/worker";
import { itConfig } from "../../config.ts";
import { DockerEngine } from "../../docker/engine.ts";
import { ActionDesk } from "./actions.ts";
import { IncidentBook } from "./book.ts";
import { buildDailyReport } from "./daily-report.ts";
import { IncidentEngine } from "./engine.ts";
import { likelyCause } from "./likely-cause.ts";
import { incidentHandlers } from "./service.ts";
import { IncidentStore } from "./store/incident-store.ts";
import * as schema from "./store/schema.ts";

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));
const NAME = "it-incidents";

/**
 * IT_LAG's incident worker: every alert of every host becomes part of an incident, taken through
 * detected → analysing → fixing → verifying → resolved; runbooks run only with CEO_LAG's approval,
 * and once; people are notified of what needs them, and CEO_LAG gets the daily report.
 */
export const incidentsWorker = defineWorker({
  name: NAME,
  principal: "it-incidents",
  config: itConfig.section("incidents"),
  store: { schema, migrationsFolder },

  setup(ctx) {
    const { config: cfg, bus, log, outbox, clock, signal } = ctx;
    // itConfig fills it from it.monitor.host when it is not given.
    const host = cfg.host!;
    const self = { kind: "worker" as const, name: NAME };
    const store = new IncidentStore(ctx.store.db, ctx.store.sqlite);
    const engine = new IncidentEngine({
      groupBy: cfg.groupBy,
      groupWaitMs: cfg.groupWait,
      resolveAfterMs: cfg.resolveAfter,
      repeatIntervalMs: cfg.repeatInterval,
      hostSilentAfterMs: cfg.hostSilentAfter,
      silenceStaleAfterMs: cfg.silenceStaleAfter,
      inhibit: cfg.inhibit,
      escalate: cfg.escalate,
      worker: NAME,
    });
    const now = clock.now().getTime();
    engine.restore(store.open(), store.silences(false, now));
    const containers = new Map<string, ContainersSnapshot>();
    const health = new Map<string, StatusReport>();

    const analyse = async (incident: IncidentSummary, a: Alert): Promise<void> => {
      const cause = await likelyCause(a, containers.get(a.host), host).catch((err: Error) => {
        log.warn({ incident: incident.id, err }, "likely cause could not be measured");
        return undefined;
      });
      if (!cause || !book.isOpen(incident.id)) return;
      const top = [
        ...cause.containers.map((c) => `${c.name} ${c.value} ${c.unit}`),
        ...cause.processes.map((p) => `${p.command}[${p.pid}] ${p.value} ${p.unit}`),
      ];
      book.record(
        incident.id,
        "likely-cause",
        self,
        top.length > 0 ? `${cause.resource}: ${top.join(", ")}` : (cause.note ?? cause.resource),
        { cause },
        { likelyCause: cause },
      );
    };

    const book: IncidentBook = new IncidentBook({
      engine,
      store,
      outbox,
      clock,
      log,
      worker: NAME,
      onOpened: (incident, a) => {
        const held = engine.get(incident.id)?.alerts.find((x) => x.fingerprint === a.fingerprint);
        const suppressed = held?.inhibitedBy ?? held?.silencedBy;
        if (suppressed) book.record(incident.id, "note", self, `no runbook while ${suppressed} explains or silences it`);
        else if (desk.ruleFor(a)) desk.propose(incident, a);
        else book.transition(incident.id, "analysing", self, `no runbook for ${a.rule}: a person must look`);
        void analyse(incident, a);
      },
      onResolved: (incident) => {
        for (const row of desk.withdraw(incident.id)) {
          bus
            .request(approvalsService.endpoints.cancel, {
              id: row.requestId,
              requester: "it-incidents",
              reason: `incident ${incident.id} resolved`,
            })
            .then(() => log.info({ requestId: row.requestId, incident: incident.id }, "approval request withdrawn"))
            // CEO_LAG away: the request expires there; its decision, whatever it is, finds the action cancelled here.
            .catch((err: Error) => log.warn({ requestId: row.requestId, err: err.message }, "could not withdraw the approval request"));
        }
      },
    });
    const desk = new ActionDesk({
      store,
      outbox,
      incidents: book,
      rules: cfg.runbooks,
      host,
      docker: new DockerEngine(cfg.docker),
      log,
      clock,
      signal,
      worker: NAME,
    });
    log.info({ open: engine.openIncidents().length, silences: engine.silencesList().length, host }, "incidents restored");
    return { engine, store, book, desk, containers, health };
  },

  bindings({ engine, store, book, desk, containers, health }, { config: cfg, clock, bus, log, outbox }) {
    const now = () => clock.now().getTime();
    return [
      subscribe(hostMetrics, (d) => book.apply(engine.hostSeen(d.data.host, now()))),
      subscribe(containerMetrics, (d) => void containers.set(d.data.host, d.data)),
      subscribe(statusReport, (d) => void health.set(d.data.host, d.data)),
      consume(incidentsAlertsInbox, (d) => {
        if (!d.is(alert)) return;
        const a = d.data;
        book.causedBy(d.envelope.id, () =>
          book.together(() => book.apply(engine.alert(a, now()), a.status === "firing" && a.repeat === 0 ? [a] : [])),
        );
      }),
      consume(incidentsDecisions, async (d) => {
        if (!d.is(approvalDecided) || d.data.requester !== "it-incidents") return;
        await desk.decided(d.data);
      }),
      serve(incidentsService, incidentHandlers({ engine, store, book, clock, patternAtLeast: cfg.patternAtLeast })),
      schedule("tick", { every: 1_000 }, () => book.apply(engine.tick(now()))),
      schedule("daily-report", { cron: cfg.report.cron, timezone: cfg.report.timezone }, async () => {
        const r = await buildDailyReport(
          { store, engine, bus, log, health, patternAtLeast: cfg.patternAtLeast, timezone: cfg.report.timezone },
          now(),
        );
        await outbox.publish(dailyReport, r);
        log.info({ day: r.day, open: r.incidents.open.length, pending: r.approvals.pending }, "daily report published");
      }),
    ];
  },

  // After the consumers are attached: an approved action not yet started runs; one left running is never run again.
  started: ({ desk }) => desk.recover(),
});
