import { randomUUID } from "node:crypto";
import { isAbsolute, relative, resolve } from "node:path";
import type { Clock } from "@lag/async";
import type { Bus } from "@lag/bus";
import {
  approvalChain,
  approvalRequests,
  backupEvent,
  type ApprovalDecision,
  type ApprovalRequest,
  type InferParsedRequest,
  type backupService,
} from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import type { BackupConfig, PlanConfig } from "./config.ts";
import { progressPublisher } from "./progress.ts";
import type { Restic } from "./restic/restic.ts";
import type { Snapshot } from "./restic/messages.ts";
import { ADHOC_TAG, newRunId, partTag, planTag, type BackupRunner } from "./runner.ts";
import type { Catalogue } from "./store/catalogue.ts";

export type RestoreRequest = InferParsedRequest<typeof backupService.endpoints.restore>;
export type RestoreReply = { runId: string; started: boolean; note: string; repositories: string[]; approval?: string };

/** How long CEO_LAG (or a person) has to approve a restore over live data. */
const APPROVAL_TIMEOUT_MS = 60 * 60_000;

/** Whether `child` is `parent` or inside it. */
export function within(child: string, parent: string): boolean {
  const r = relative(parent, child);
  return r === "" || (!r.startsWith("..") && !isAbsolute(r));
}

/** Whether restoring into `target` would write over what the plan backs up (or over a folder holding it). */
export function isLive(plan: PlanConfig, target: string): boolean {
  const t = resolve(target);
  return plan.paths.some((p) => within(t, p) || within(p, t));
}

/** The newest snapshot of one part (`part:files`, `part:dump`) among a plan's own snapshots (not those of ad-hoc runs). */
export function latestOf(snaps: readonly Snapshot[], part: "files" | "dump"): Snapshot | undefined {
  return snaps
    .filter((s) => s.tags?.includes(partTag(part)) && !s.tags.includes(ADHOC_TAG))
    .sort((a, b) => Date.parse(a.time) - Date.parse(b.time))
    .at(-1);
}

/** The newest snapshot of a plan's part (the files, else the dump), or the one asked for by id or short id. */
export async function pickSnapshot(restic: Restic, plan: PlanConfig, id?: string): Promise<Snapshot> {
  const snaps = await restic.snapshots([planTag(plan.name)]);
  if (id) {
    const found = snaps.find((s) => s.id === id || s.id.startsWith(id));
    if (!found) throw new Error(`no snapshot ${id} of plan ${plan.name} in ${restic.name}`);
    return found;
  }
  const latest = latestOf(snaps, plan.paths.length > 0 ? "files" : "dump");
  if (!latest) throw new Error(`plan ${plan.name} has no snapshot in ${restic.name} yet`);
  return latest;
}

/**
 * Restores: into a new folder at once; over a path the plan backs up only with CEO_LAG's approval
 * (an action of kind restore-backup, decided by policy or a person), run once when approved.
 */
export class Restorer {
  constructor(
    private readonly o: {
      cfg: BackupConfig;
      host: string;
      catalogue: Catalogue;
      runner: BackupRunner;
      outbox: Outbox;
      bus: Bus;
      restic: (repository: string) => Restic;
      clock: Clock;
      log: Logger;
      signal: AbortSignal;
    },
  ) {}

  /** Checks the request, then restores in the background or asks for an approval first. */
  async request(req: RestoreRequest): Promise<RestoreReply> {
    const plan = this.o.runner.plan(req.plan);
    if (!plan) throw new Error(`no plan ${req.plan}`);
    const repository = req.repository ?? plan.repositories[0]!;
    if (!plan.repositories.includes(repository))
      throw new Error(`plan ${plan.name} is not kept in ${repository} (it is in ${plan.repositories.join(", ")})`);
    const snapshot = await pickSnapshot(this.o.restic(repository), plan, req.snapshot);
    const runId = newRunId(plan.name, this.o.clock.now());
    const full = { ...req, repository, snapshot: snapshot.id };
    if (!isLive(plan, req.target)) {
      void this.o.runner.track(`restore of ${plan.name}`, this.restore(plan, full, runId));
      return {
        runId,
        started: true,
        repositories: [repository],
        note: `restoring snapshot ${snapshot.id.slice(0, 8)} of ${snapshot.time} from ${repository} into ${req.target}`,
      };
    }
    const id = randomUUID();
    const now = this.o.clock.now();
    this.o.catalogue.addPendingRestore({ requestId: id, runId, request: full, state: "waiting", at: now.getTime() });
    // The restore run is the chain: the request, CEO_LAG's decision and the run's events carry its id.
    const request: ApprovalRequest = {
      id,
      requester: "it-backup",
      action: {
        kind: "restore-backup",
        params: { host: this.o.host, plan: plan.name, repository, snapshot: snapshot.id, target: req.target },
      },
      reason: `restore snapshot ${snapshot.id.slice(0, 8)} of ${plan.name} over ${req.target}, which the plan backs up: what is there now is overwritten`,
      risk: "high",
      requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + APPROVAL_TIMEOUT_MS).toISOString(),
      links: { correlationId: runId },
      evidence: {
        summary: `restore ${plan.name} from ${repository} over the live path ${req.target} on ${this.o.host}`,
        observed: [
          `snapshot ${snapshot.id.slice(0, 8)} taken ${snapshot.time} of ${snapshot.paths.join(", ")}`,
          req.paths.length > 0 ? `only ${req.paths.join(", ")}` : "the whole snapshot",
        ],
      },
      labels: { plan: plan.name, repository },
    };
    await this.o.outbox.publish(approvalRequests["it-backup"], request, approvalChain.request(request));
    this.o.log.warn({ plan: plan.name, target: req.target, request: id }, "a restore over a live path waits for CEO_LAG's approval");
    return {
      runId,
      started: false,
      repositories: [repository],
      approval: id,
      note: `restoring over ${req.target}, which plan ${plan.name} backs up, needs an approval: \`lag approvals approve ${id}\``,
    };
  }

  /** CEO_LAG's decision on a restore this worker asked for: run it once if approved. */
  async decided(d: ApprovalDecision): Promise<void> {
    const row = this.o.catalogue.pendingRestore(d.requestId);
    if (row?.state !== "waiting") return;
    const req = row.request as Required<Pick<RestoreRequest, "repository" | "snapshot">> & RestoreRequest;
    const plan = this.o.runner.plan(req.plan);
    if (d.decision !== "approved" || !plan) {
      this.o.catalogue.setPendingRestoreState(d.requestId, "refused");
      this.o.outbox.add(
        backupEvent,
        {
          kind: "failed",
          plan: req.plan,
          runId: row.runId,
          at: this.o.clock.now().toISOString(),
          repository: req.repository,
          step: "restore",
          error: plan
            ? `not restored: the request was ${d.decision} by ${d.by.name}`
            : `not restored: plan ${req.plan} is no longer configured`,
        },
        approvalChain.effect(d.requestId, row.runId),
      );
      await this.o.outbox.flush();
      return;
    }
    this.o.catalogue.setPendingRestoreState(d.requestId, "running");
    void this.o.runner.track(
      `restore of ${plan.name}`,
      this.restore(plan, req, row.runId).finally(() => this.o.catalogue.setPendingRestoreState(d.requestId, "done")),
    );
  }

  private async restore(plan: PlanConfig, req: RestoreRequest & { repository: string; snapshot: string }, runId: string): Promise<void> {
    const { repository } = req;
    const t0 = this.o.clock.now().getTime();
    const emit = progressPublisher(
      this.o.bus,
      this.o.cfg.progressInterval,
      { plan: plan.name, runId, repository, operation: "restore" },
      () => this.o.clock.now().getTime(),
    );
    try {
      const s = await this.o.runner.withRepository(repository, () =>
        this.o.restic(repository).restore(req.snapshot, req.target, {
          include: req.paths,
          signal: this.o.signal,
          onStatus: emit,
        }),
      );
      const durationMs = this.o.clock.now().getTime() - t0;
      this.o.outbox.add(
        backupEvent,
        {
          kind: "restored",
          plan: plan.name,
          runId,
          at: this.o.clock.now().toISOString(),
          repository,
          snapshotId: req.snapshot,
          target: req.target,
          files: s.files_restored,
          bytes: s.bytes_restored,
          durationMs,
        },
        { correlationid: runId },
      );
      this.o.log.info({ plan: plan.name, runId, repository, target: req.target, files: s.files_restored }, `restore of ${plan.name} done`);
    } catch (err) {
      this.o.outbox.add(
        backupEvent,
        {
          kind: "failed",
          plan: plan.name,
          runId,
          at: this.o.clock.now().toISOString(),
          repository,
          step: "restore",
          error: (err as Error).message,
        },
        { correlationid: runId },
      );
      this.o.log.error({ plan: plan.name, runId, err: (err as Error).message }, `restore of ${plan.name} failed`);
    }
    await this.o.outbox.flush();
  }
}
