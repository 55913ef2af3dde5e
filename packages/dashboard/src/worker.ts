import type { Server } from "node:http";
import { fileURLToPath } from "node:url";
import {
  alertEvents,
  approvalAsked,
  approvalDecided,
  type ApprovalDecisionType,
  type ApprovalRecord,
  type BackupEvent,
  type SubscriptionEvent,
  backupEvent,
  checkResult,
  containerMetrics,
  hostMetrics,
  imageUpdate,
  incidentChanged,
  maintenanceResult,
  mediaImportChanged,
  storageReservation,
  storageSpace,
  subscriptionChanged,
  type EventDescriptor,
  type InferEvent,
  type MaintenanceResult,
  type MediaImportEvent,
  type StorageReservationEvent,
  type StorageSpaceEvent,
} from "@lag/contracts";
import { defineWorker, schedule, subscribe, type Binding } from "@lag/worker";
import { routes } from "./app.ts";
import { AuditTrail } from "./audit.ts";
import { LoginLimiter } from "./auth/rate-limit.ts";
import { Sessions } from "./auth/sessions.ts";
import { Users } from "./auth/users.ts";
import { dashboardConfig } from "./config.ts";
import { Router } from "./http/server.ts";
import { BusFiguresReader } from "./live/bus-figures.ts";
import { EventsFeed } from "./live/feed.ts";
import { LiveState } from "./live/state.ts";
import { PageMetrics } from "./metrics.ts";
import * as schema from "./store/schema.ts";

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/** Closes a server and every connection it holds (live streams never end by themselves). */
function close(server: Server | undefined): Promise<void> {
  if (!server) return Promise.resolve();
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * The status page: an HTTP server with logins, roles and sessions, pages drawn by one script and
 * kept live over server-sent events fed from the bus, actions (approve, acknowledge, resolve) taken
 * through the agents' own services and audited with the user; Prometheus metrics on their own port.
 */
export const dashboardWorker = defineWorker({
  name: "dashboard",
  principal: "dashboard",
  config: dashboardConfig,
  store: { schema, migrationsFolder },

  async setup(ctx) {
    const { config: cfg, bus, log, clock, dataDir } = ctx;
    const now = () => clock.now().getTime();
    const db = ctx.store.db;
    const users = await Users.load({ configured: cfg.users, db, dataDir, log, now: now() });
    const sessions = new Sessions({ db, ttlMs: cfg.session.ttl, idleMs: cfg.session.idle });
    const limiter = new LoginLimiter({ windowMs: cfg.login.window });
    const live = new LiveState({ bus, log, everyMs: 1000, askTimeoutMs: 5000 });
    const figures = new BusFiguresReader({ bus, log });
    const metrics = new PageMetrics(
      () => live.snapshot(),
      () => figures.current,
    );
    const audit = new AuditTrail({ db, log });
    const feed = new EventsFeed(db);
    const router = new Router({ log, trustProxy: cfg.trustProxy });
    routes(router, { cfg, bus, log, sessions, users, limiter, live, audit, feed, metrics, now });
    const web = await router.listen(cfg.listen.host, cfg.listen.port);
    const prom = cfg.metrics.enabled ? await metrics.listen(cfg.metrics.host, cfg.metrics.port) : undefined;
    const url = cfg.publicUrl ?? `http://${cfg.listen.host === "0.0.0.0" ? "127.0.0.1" : cfg.listen.host}:${web.port}/`;
    log.info(
      { url, metrics: prom ? `http://${cfg.metrics.host}:${prom.port}/metrics` : null, users: users.count },
      `status page at ${url}`,
    );
    return { live, feed, figures, sessions, metrics, web, prom, url };
  },

  bindings(s, { clock }) {
    const counted = <E extends EventDescriptor>(event: E, fn: (data: never, subject: string) => void): Binding =>
      subscribe(event, (d) => {
        s.metrics.message(event.type);
        fn(d.data as never, d.subject);
      });
    return [
      counted(hostMetrics, (m) => s.live.host(m)),
      counted(containerMetrics, (m) => s.live.containersOf(m)),
      counted(checkResult, (c) => s.live.check(c)),
      ...alertEvents.map((e) =>
        counted(e, (a, subject) => {
          s.live.alert(a);
          s.feed.alert(a, subject);
        }),
      ),
      counted(incidentChanged, (c, subject) => {
        s.live.refresh("incidents");
        s.feed.incident(c, subject);
      }),
      // A request shows once CEO_LAG has it: asked of a person, or decided (the requests themselves are CEO_LAG's to read).
      counted(approvalAsked, (r: ApprovalRecord, subject) => {
        s.live.refresh("approvals");
        s.feed.asked(r, subject);
      }),
      counted(approvalDecided, (d: ApprovalDecisionType, subject) => {
        s.live.refresh("approvals");
        s.feed.decided(d, subject);
      }),
      counted(backupEvent, (e: BackupEvent, subject) => {
        s.live.refresh("backups");
        s.feed.backup(e, subject);
      }),
      counted(subscriptionChanged, (e: SubscriptionEvent, subject) => {
        s.live.refresh("subscriptions");
        s.feed.subscription(e, subject);
      }),
      counted(storageReservation, (e: StorageReservationEvent, subject) => s.feed.reservation(e, subject)),
      counted(storageSpace, (e: StorageSpaceEvent, subject) => s.feed.space(e, subject)),
      counted(maintenanceResult, (r: MaintenanceResult, subject) => s.feed.maintenance(r, subject)),
      counted(imageUpdate, (u: InferEvent<typeof imageUpdate>, subject) => s.feed.imageUpdate(u, subject)),
      counted(mediaImportChanged, (e: MediaImportEvent, subject) => s.feed.mediaImport(e, subject)),
      // The services' parts are asked again now and then: a worker started after the page shows up.
      schedule("ask", { every: 60_000 }, () => s.live.ask()),
      schedule("sessions", { every: 3_600_000 }, () => s.sessions.prune(clock.now().getTime())),
      schedule("bus-figures", { every: 15_000, runAtStart: true }, () => s.figures.read()),
      schedule("storage-trends", { every: 3_600_000 }, () => s.live.readTrends(clock.now().getTime())),
    ];
  },

  started: ({ live }) => void live.ask(),

  stopping: async ({ live, web, prom }) => {
    live.stop();
    await close(web.server);
    await close(prom?.server);
  },
});
