import { createHash, randomInt } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { join } from "node:path";
import { mapLimit, type Clock } from "@lag/async";
import type { Bus } from "@lag/bus";
import { runCommand } from "@lag/command";
import { backupEvent, type BackupEvent } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import type { BackupAlerts } from "./alerts.ts";
import type { BackupConfig, PlanConfig } from "./config.ts";
import { progressPublisher } from "./progress.ts";
import type { Restic } from "./restic/restic.ts";
import { latestOf } from "./restorer.ts";
import { newRunId, partTag, planTag, type BackupRunner } from "./runner.ts";
import type { Catalogue } from "./store/catalogue.ts";

type Drill = Extract<BackupEvent, { kind: "drill" }>;

/** Restored files also read again with `restic dump` and compared whole (each costs restic a key derivation, ~0.5 s). */
const DUMP_COMPARE = 32;

async function sha256File(path: string): Promise<string | undefined> {
  const hash = createHash("sha256");
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch {
    return undefined;
  }
  return hash.digest("hex");
}

function sample<T>(xs: readonly T[], n: number): T[] {
  if (xs.length <= n) return [...xs];
  const copy = [...xs];
  for (let i = 0; i < n; i++) {
    const j = i + randomInt(copy.length - i);
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

/**
 * Restore drills: the latest snapshot of a plan (or a random sample of its files, for a large
 * plan) restored into a temporary folder, every restored file checked against the snapshot's
 * SHA-256 content hashes (`restore --verify`) and a sample of them hashed whole here against
 * `restic dump`, a database dump loaded into a throw-away container when the plan says how. The folder is deleted afterwards; a failed drill is a high alert.
 */
export class Driller {
  private readonly running = new Map<string, string>();

  constructor(
    private readonly o: {
      cfg: BackupConfig;
      dir: string;
      catalogue: Catalogue;
      alerts: BackupAlerts;
      outbox: Outbox;
      bus: Bus;
      runner: BackupRunner;
      restic: (repository: string) => Restic;
      dockerCli: { program: string; args: readonly string[] };
      clock: Clock;
      log: Logger;
      signal: AbortSignal;
    },
  ) {}

  start(plan: PlanConfig): { runId: string; started: boolean; done: Promise<Drill[] | undefined> } {
    const held = this.running.get(plan.name);
    if (held) return { runId: held, started: false, done: Promise.resolve([]) };
    const runId = newRunId(plan.name, this.o.clock.now());
    this.running.set(plan.name, runId);
    const done = this.o.runner.track(
      `drill of ${plan.name}`,
      this.drillPlan(plan, runId).finally(() => this.running.delete(plan.name)),
    );
    return { runId, started: true, done };
  }

  async drillAll(): Promise<void> {
    for (const plan of this.o.cfg.plans) {
      if (this.o.signal.aborted) return;
      await this.start(plan).done;
    }
  }

  private async drillPlan(plan: PlanConfig, runId: string): Promise<Drill[]> {
    const out: Drill[] = [];
    for (const repository of plan.repositories) {
      if (this.o.signal.aborted) break;
      const d = await this.o.runner.withRepository(repository, () => this.drill(plan, repository, runId));
      out.push(d);
      this.o.catalogue.recordDrill({
        runId: `${runId}-${repository}`,
        plan: plan.name,
        repository,
        snapshotId: d.snapshotId || null,
        at: Date.parse(d.at),
        passed: d.passed,
        filesCompared: d.filesCompared,
        bytes: d.bytes,
        durationMs: d.durationMs,
        error: d.error ?? (d.mismatches.length ? `differs: ${d.mismatches.slice(0, 5).join(", ")}` : null),
      });
      this.o.outbox.add(backupEvent, d);
      void this.o.outbox.flush();
      const labels = { plan: plan.name, repository };
      if (d.passed) this.o.alerts.resolve("backup-drill-failed", labels, `the restore drill of ${plan.name} from ${repository} passed`);
      else if (!this.o.signal.aborted)
        this.o.alerts.fire({
          rule: "backup-drill-failed",
          severity: "high",
          summary: `the restore drill of ${plan.name} from ${repository} failed: ${d.error ?? `${d.mismatches.length} files differ (${d.mismatches.slice(0, 3).join(", ")})`}`,
          labels,
          value: d.mismatches.length,
        });
    }
    return out;
  }

  private async drill(plan: PlanConfig, repository: string, runId: string): Promise<Drill> {
    const t0 = this.o.clock.now().getTime();
    const restic = this.o.restic(repository);
    const base = { kind: "drill" as const, plan: plan.name, runId, repository };
    const result = (r: Omit<Drill, "kind" | "plan" | "runId" | "repository" | "at" | "durationMs">): Drill => ({
      ...base,
      ...r,
      at: this.o.clock.now().toISOString(),
      durationMs: this.o.clock.now().getTime() - t0,
    });
    const failure = (snapshotId: string, error: string): Drill =>
      result({ snapshotId, passed: false, filesCompared: 0, filesDumped: 0, filesInSnapshot: 0, bytes: 0, mismatches: [], error });
    await mkdir(this.o.dir, { recursive: true });
    const tmp = await mkdtemp(join(this.o.dir, `drill-${plan.name}-`));
    let snapshotId = "";
    try {
      const snaps = await restic.snapshots([planTag(plan.name)]);
      const parts = [latestOf(snaps, "files"), latestOf(snaps, "dump")].filter((s) => s !== undefined);
      if (parts.length === 0) return failure(snapshotId, `no snapshot of ${plan.name} in ${repository}`);
      let filesCompared = 0;
      let filesDumped = 0;
      let filesInSnapshot = 0;
      let bytes = 0;
      const mismatches: string[] = [];
      let query: Drill["query"];
      const emit = progressPublisher(
        this.o.bus,
        this.o.cfg.progressInterval,
        { plan: plan.name, runId, repository, operation: "drill" },
        () => this.o.clock.now().getTime(),
      );
      for (const snap of parts) {
        snapshotId ||= snap.id;
        const files = await restic.files(snap.id);
        filesInSnapshot += files.length;
        const chosen = sample(files, plan.drillSample);
        const target = join(tmp, snap.id.slice(0, 8));
        // restic checks every restored chunk against the snapshot's SHA-256 hashes: a difference fails the restore.
        await restic.restore(snap.id, target, {
          ...(chosen.length < files.length ? { include: chosen.map((f) => f.path) } : {}),
          verify: true,
          signal: this.o.signal,
          onStatus: emit,
        });
        filesCompared += chosen.length;
        for (const f of chosen) bytes += f.size;
        // And independently of restic's own check: whole files, hashed here, against `restic dump`.
        await mapLimit(sample(chosen, DUMP_COMPARE), 4, async (f) => {
          const [want, got] = await Promise.all([restic.sha256(snap.id, f.path), sha256File(join(target, f.path))]);
          filesDumped++;
          if (want !== got) mismatches.push(f.path);
        });
        const drillQuery = plan.hooks.dump?.drill;
        if (drillQuery && snap.tags?.includes(partTag("dump"))) query = await this.query(drillQuery, target);
      }
      const passed = mismatches.length === 0 && filesCompared > 0 && (query?.ok ?? true);
      this.o.log[passed ? "info" : "error"](
        { plan: plan.name, repository, filesCompared, mismatches: mismatches.length, query: query?.ok },
        `restore drill of ${plan.name} from ${repository}: ${passed ? "passed" : "FAILED"}`,
      );
      return result({
        snapshotId,
        passed,
        filesCompared,
        filesDumped,
        filesInSnapshot,
        bytes,
        mismatches: mismatches.sort().slice(0, 50),
        ...(query ? { query } : {}),
        ...(filesCompared === 0
          ? { error: "the snapshot holds no files" }
          : query && !query.ok
            ? { error: `the dump did not load: ${query.output}` }
            : {}),
      });
    } catch (err) {
      return failure(snapshotId, (err as Error).message);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }

  /** Loads the restored dump into a throw-away container (`/drill` mounted read-only) and runs the plan's query. */
  private async query(q: { image: string; command: string[]; timeout: number }, dir: string): Promise<{ ok: boolean; output: string }> {
    const r = await runCommand(
      this.o.dockerCli.program,
      [...this.o.dockerCli.args, "run", "--rm", "--network", "none", "-v", `${dir}:/drill:ro`, q.image, ...q.command],
      { timeoutMs: q.timeout, signal: this.o.signal },
    );
    const output = `${r.stdout}\n${r.stderr}`.trim().slice(-500);
    return { ok: r.ok, output };
  }
}
