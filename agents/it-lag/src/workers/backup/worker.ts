import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { findProgram } from "@lag/command";
import { approvalDecided, backupDecisions, backupService } from "@lag/contracts";
import { consume, defineWorker, schedule, serve, type Binding } from "@lag/worker";
import { itConfig } from "../../config.ts";
import { dockerCliArgs } from "../../docker/connection.ts";
import { DockerEngine } from "../../docker/engine.ts";
import { BackupAlerts } from "./alerts.ts";
import { Driller } from "./driller.ts";
import { ContainerHooks } from "./hooks.ts";
import { MissedRuns } from "./missed-runs.ts";
import { recover } from "./recovery.ts";
import { Restic, resticVersion } from "./restic/restic.ts";
import { Restorer } from "./restorer.ts";
import { BackupRunner } from "./runner.ts";
import { backupHandlers } from "./service.ts";
import { Catalogue } from "./store/catalogue.ts";
import * as schema from "./store/schema.ts";
import { Verifier } from "./verifier.ts";

const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));
const NAME = "it-backup";

/**
 * IT_LAG's backup worker: restic plans on their schedules into every repository of the plan,
 * hooks around them, retention after them; the rotating check, restore drills, restores (over live
 * data only with CEO_LAG's approval); a catalogue of every run; alerts for what went wrong or did
 * not happen at all.
 */
export const backupWorker = defineWorker({
  name: NAME,
  principal: "it-backup",
  config: itConfig.section("backup"),
  store: { schema, migrationsFolder },

  async setup(ctx) {
    const { config: cfg, bus, log, outbox, clock, signal, dataDir } = ctx;
    // itConfig fills it from it.monitor.host when it is not given.
    const host = cfg.host!;
    const binary = cfg.restic ?? findProgram("restic", "LAG_RESTIC");
    const cacheDir = cfg.cacheDir ?? join(dataDir, "restic-cache");
    const repos = new Map(
      Object.entries(cfg.repositories).map(([name, r]) => [name, new Restic({ binary, cacheDir, repo: { name, ...r } })]),
    );
    const restic = (name: string): Restic => {
      const r = repos.get(name);
      if (!r) throw new Error(`no repository ${name}`);
      return r;
    };
    const version = await resticVersion(binary);
    const needsDocker = cfg.plans.some((p) => p.hooks.dump);
    // Only a dump runs the docker CLI: without one, neither the program nor the endpoint is looked for.
    const dockerCli = needsDocker
      ? { program: findProgram("docker", "LAG_DOCKER"), args: dockerCliArgs(cfg.docker) }
      : { program: "docker", args: [] };
    const catalogue = new Catalogue(ctx.store.db);
    const docker = new DockerEngine(cfg.docker);
    const hooks = new ContainerHooks({ docker, catalogue, log });
    const alerts = new BackupAlerts({ catalogue, outbox, clock, log, host });
    alerts.forgetPlansOtherThan(new Set(cfg.plans.map((p) => p.name)));
    const runner = new BackupRunner({ cfg, host, catalogue, alerts, hooks, outbox, bus, restic, dockerCli, clock, log, signal });
    await recover({
      catalogue,
      hooks,
      alerts,
      outbox,
      restic: (r) => repos.get(r),
      repositoriesOf: (plan) => runner.plan(plan)?.repositories ?? [],
      clock,
      log,
    });
    const verifier = new Verifier({ cfg, catalogue, alerts, outbox, runner, restic, clock, log, signal });
    const restorer = new Restorer({ cfg, host, catalogue, runner, outbox, bus, restic, clock, log, signal });
    const driller = new Driller({
      cfg,
      dir: cfg.drill.dir ?? join(dataDir, "drills"),
      catalogue,
      alerts,
      outbox,
      bus,
      runner,
      restic,
      dockerCli,
      clock,
      log,
      signal,
    });
    const missed = new MissedRuns({ plans: cfg.plans, catalogue, alerts, runner, clock, log });
    log.info({ host, restic: version, plans: cfg.plans.map((p) => p.name), repositories: [...repos.keys()] }, "backups ready");
    return { catalogue, runner, verifier, restorer, driller, missed, restic };
  },

  bindings(s, { config: cfg, clock }) {
    const out: Binding[] = [
      consume(backupDecisions, async (d) => {
        if (!d.is(approvalDecided) || d.data.requester !== "it-backup") return;
        await s.restorer.decided(d.data);
      }),
      serve(backupService, backupHandlers({ cfg, clock, ...s })),
      schedule("missed-runs", { every: 10_000 }, () => s.missed.tick()),
      schedule("verify", { cron: cfg.verify.cron, timezone: cfg.verify.timezone }, () => s.verifier.checkAll(false)),
      schedule("verify-metadata", { cron: cfg.verify.metadata, timezone: cfg.verify.timezone }, () => s.verifier.checkAll(true)),
      schedule("drill", { cron: cfg.drill.cron, timezone: cfg.drill.timezone }, () => s.driller.drillAll()),
    ];
    for (const plan of cfg.plans)
      out.push(schedule(`backup:${plan.name}`, plan.schedule, async () => void (await s.runner.start(plan, "schedule").done)));
    return out;
  },

  started: ({ missed }) => missed.atStart(),

  // The signal has interrupted restic; each run starts its containers again, and every check, drill and restore ends, before it settles.
  stopping: ({ runner }) => runner.settle(),
});
