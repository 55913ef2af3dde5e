import type { Clock } from "@lag/async";
import { resolve } from "node:path";
import { callerPrincipal, ServiceError, type ServiceHandlers } from "@lag/bus";
import type { backupService, PlanStatus } from "@lag/contracts";
import type { BackupConfig, PlanConfig } from "./config.ts";
import type { Driller } from "./driller.ts";
import { within, type Restorer } from "./restorer.ts";
import type { Restic } from "./restic/restic.ts";
import { ResticError } from "./restic/restic.ts";
import { nextDue, rpoOf } from "./rpo.ts";
import { planTag, type BackupRunner } from "./runner.ts";
import type { Catalogue } from "./store/catalogue.ts";
import type { Verifier } from "./verifier.ts";

const DAY = 86_400_000;

export interface ServiceParts {
  cfg: BackupConfig;
  catalogue: Catalogue;
  runner: BackupRunner;
  verifier: Verifier;
  restorer: Restorer;
  driller: Driller;
  restic: (repository: string) => Restic;
  clock: Clock;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? undefined : new Date(ms).toISOString());

/** A plan at a glance: last good copy per repository, RPO colour, rotation, last drill, success rate. */
export function planStatus(p: ServiceParts, plan: PlanConfig): PlanStatus {
  const now = p.clock.now();
  const good = p.catalogue.lastGoodRun(plan.name);
  const running = p.runner.runningRun(plan.name) !== undefined;
  const runs = p.catalogue.runs(plan.name, now.getTime() - 30 * DAY).filter((r) => r.status !== "running");
  const rows = plan.repositories.map((r) => p.catalogue.verification(r, p.cfg.verify.slices));
  const latest = (xs: { at: number | null; ok: boolean | null }[]) => {
    const worst = xs.filter((x) => x.at !== null).sort((a, b) => Number(a.ok) - Number(b.ok) || b.at! - a.at!)[0];
    return worst ? { at: iso(worst.at)!, ok: worst.ok ?? false } : undefined;
  };
  const lastData = latest(rows.map((r) => ({ at: r.lastDataAt, ok: r.lastDataOk })));
  const lastMetadata = latest(rows.map((r) => ({ at: r.lastMetadataAt, ok: r.lastMetadataOk })));
  const drill = p.catalogue.lastDrill(plan.name);
  const next = nextDue(plan.schedule, now);
  return {
    plan: plan.name,
    schedule: `${plan.schedule.cron} (${plan.schedule.timezone})`,
    repositories: plan.repositories.map((name) => {
      const s = p.catalogue.repositoryState(plan.name, name);
      return {
        name,
        ...(s.lastOk
          ? { lastSuccess: iso(s.lastOk.finishedAt)!, ...(s.lastOk.snapshotId ? { lastSnapshot: s.lastOk.snapshotId.slice(0, 8) } : {}) }
          : {}),
        ...(s.lastFailed?.error ? { lastError: s.lastFailed.error } : {}),
      };
    }),
    ...(good?.finishedAt ? { lastSuccess: iso(good.finishedAt)! } : {}),
    ...(next ? { nextRun: next.toISOString() } : {}),
    running,
    verification: {
      done: Math.min(...rows.map((r) => r.done)),
      of: p.cfg.verify.slices,
      ...(lastData ? { lastData } : {}),
      ...(lastMetadata ? { lastMetadata } : {}),
    },
    ...(drill ? { lastDrill: { at: iso(drill.at)!, passed: drill.passed, filesCompared: drill.filesCompared } } : {}),
    rpo: rpoOf(
      { ...plan.schedule, window: plan.window },
      { lastGoodStartedAt: good?.startedAt, lastGoodFinishedAt: good?.finishedAt ?? undefined, running, now },
    ),
    successRate30d: runs.length === 0 ? null : runs.filter((r) => r.status === "ok" || r.status === "partial").length / runs.length,
    sizes: p.catalogue.sizes(plan.name, now.getTime() - 30 * DAY).map((x) => ({ at: iso(x.at)!, bytes: x.bytes, added: x.added })),
  };
}

/** The it-backup endpoints: what people (the CLI, the page) and other agents ask of the backups. */
export function backupHandlers(p: ServiceParts): ServiceHandlers<typeof backupService> {
  const planOf = (name: string): PlanConfig => {
    const plan = p.runner.plan(name);
    if (!plan) throw new ServiceError(404, `no plan ${name} (plans: ${p.cfg.plans.map((x) => x.name).join(", ") || "none"})`);
    return plan;
  };
  return {
    list: () => ({ plans: p.cfg.plans.map((plan) => planStatus(p, plan)) }),
    snapshots: async ({ plan: name, repository }) => {
      const plan = planOf(name);
      if (repository && !plan.repositories.includes(repository))
        throw new ServiceError(404, `plan ${name} is not kept in ${repository} (it is in ${plan.repositories.join(", ")})`);
      const names = repository ? [repository] : plan.repositories;
      return {
        repositories: await Promise.all(
          names.map(async (r) => {
            try {
              const snaps = await p.restic(r).snapshots([planTag(plan.name)]);
              return {
                name: r,
                snapshots: snaps
                  .sort((a, b) => Date.parse(a.time) - Date.parse(b.time))
                  .map((s) => ({
                    id: s.id,
                    shortId: s.short_id ?? s.id.slice(0, 8),
                    time: new Date(s.time).toISOString(),
                    paths: s.paths,
                    tags: s.tags ?? [],
                    host: s.hostname ?? "",
                  })),
              };
            } catch (err) {
              return { name: r, snapshots: [], error: (err as Error).message };
            }
          }),
        ),
      };
    },
    run: ({ plan: name, paths, reason }, ctx) => {
      const plan = planOf(name);
      const outside = (paths ?? []).filter((x) => !plan.paths.some((root) => within(resolve(x), root)));
      if (outside.length > 0)
        throw new ServiceError(400, `paths: ${outside.join(", ")} not inside plan ${name}'s paths (${plan.paths.join(", ") || "none"})`);
      const adhoc = paths
        ? { paths: paths.map((x) => resolve(x)), requestedBy: callerPrincipal(ctx) ?? "unknown", ...(reason ? { reason } : {}) }
        : undefined;
      const r = p.runner.start(plan, "manual", adhoc);
      return {
        runId: r.runId,
        started: r.started,
        note: r.started ? "started" : `run ${r.runId} of ${name} is under way already`,
        repositories: plan.repositories,
      };
    },
    init: async ({ plan: name }) => {
      const plan = planOf(name);
      return {
        repositories: await Promise.all(
          plan.repositories.map(async (r) => {
            try {
              return { name: r, created: await p.restic(r).init() };
            } catch (err) {
              return { name: r, created: false, error: err instanceof ResticError ? err.message : (err as Error).message };
            }
          }),
        ),
      };
    },
    check: ({ plan: name, metadata }) => {
      const plan = planOf(name);
      const r = p.verifier.start(plan, metadata);
      return {
        runId: r.runId,
        started: r.started,
        note: r.started ? "started" : `check ${r.runId} of ${name} is under way already`,
        repositories: plan.repositories,
      };
    },
    restore: async (req) => {
      planOf(req.plan);
      try {
        return await p.restorer.request(req);
      } catch (err) {
        if (err instanceof ServiceError) throw err;
        throw new ServiceError(422, (err as Error).message);
      }
    },
    drill: ({ plan: name }) => {
      const plan = planOf(name);
      const r = p.driller.start(plan);
      return {
        runId: r.runId,
        started: r.started,
        note: r.started ? "started" : `drill ${r.runId} of ${name} is under way already`,
        repositories: plan.repositories,
      };
    },
  };
}
