import { fileURLToPath } from "node:url";
import { approvalDecided, maintenanceAlert, maintenanceDecisions, maintenanceService, MaintenanceTask } from "@lag/contracts";
import { consume, defineWorker, schedule, serve } from "@lag/worker";
import { itConfig } from "../../config.ts";
import { DockerEngine } from "../../docker/engine.ts";
import { RaisedAlerts } from "../../raised-alerts.ts";
import { MaintenanceBook } from "./book.ts";
import { DockerLogs } from "./docker-logs.ts";
import { ImageUpdates } from "./image-updates.ts";
import { RegistryClient } from "./registry.ts";
import { maintenanceHandlers, TASK_SECTION } from "./service.ts";
import * as schema from "./store/schema.ts";
import { MaintenanceTasks } from "./tasks.ts";

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * IT_LAG's maintenance worker: image update checks against the registries, log clean-up, Docker
 * json log sizes (emptied once CEO_LAG approves), SQLite optimisation, pending OS updates and
 * reboot, failed SSH logins, each on its own schedule; results as events, thresholds as alerts.
 */
export const maintenanceWorker = defineWorker({
  name: "it-maintenance",
  principal: "it-maintenance",
  config: itConfig.section("maintenance"),
  store: { schema, migrationsFolder },

  setup(ctx) {
    const { config: cfg, log, outbox, clock, signal, dataDir } = ctx;
    const host = cfg.host!;
    const book = new MaintenanceBook(ctx.store.db);
    const engine = new DockerEngine(cfg.docker);
    const alerts = new RaisedAlerts({
      event: maintenanceAlert,
      store: book,
      outbox,
      clock,
      log,
      host,
      source: (labels) => `maintenance:${labels.container ?? host}`,
    });
    const images = new ImageUpdates({
      cfg: cfg.images,
      engine,
      registry: new RegistryClient(cfg.images),
      book,
      alerts,
      outbox,
      clock,
      host,
      signal,
    });
    const dockerLogs = new DockerLogs({
      warnAt: cfg.dockerLogs.warnAt,
      approvalTimeout: cfg.approvalTimeout,
      engine,
      book,
      alerts,
      outbox,
      clock,
      log,
      host,
    });
    const tasks = new MaintenanceTasks({ cfg, host, dataDir, book, images, dockerLogs, alerts, outbox, clock, log, signal });
    const enabled = MaintenanceTask.options.filter((t) => cfg[TASK_SECTION[t]].run.enabled);
    log.info({ host, tasks: enabled, docker: engine.endpoint }, "maintenance ready");
    return { host, book, tasks, dockerLogs, enabled };
  },

  bindings(s, { config: cfg }) {
    return [
      serve(maintenanceService, maintenanceHandlers({ cfg, ...s })),
      consume(maintenanceDecisions, async (d) => {
        if (!d.is(approvalDecided) || d.data.requester !== "it-maintenance") return;
        await s.dockerLogs.decided(d.data);
      }),
      ...s.enabled.map((task) => schedule(task, cfg[TASK_SECTION[task]].run.schedule, () => void s.tasks.run(task))),
    ];
  },

  stopping: ({ tasks }) => tasks.settle(),
});
