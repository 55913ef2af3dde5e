/**
 * bench/backup: what the backup worker costs over restic itself, on the same ~1 GB of mixed files
 * (20,000 small files in 200 folders and 8 large ones, incompressible), in the same run.
 *
 *   1. first backup into an empty repository: the worker (`lag backup run` through the bus: the
 *      request → the `completed` event, restic's JSON read, progress published, the catalogue
 *      written) against the same `restic backup --json` run by hand. Goal: ratio ≤ 1.05.
 *   2. the second backup of unchanged data (restic's dedup: only metadata is read): the same two.
 *   3. restore of the whole snapshot: the worker (request → `restored` event) against
 *      `restic restore` by hand; MB/s.
 *   4. a restore drill of the plan: restore a sample of 500 files with `--verify` and hash 32 of
 *      them whole against `restic dump`; its duration.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchReport, Benchmark, Metrics, VariantSpec } from "@lag/bench";
import { compareVariants, ratio } from "@lag/bench";
import type { Bus } from "@lag/bus";
import { findProgram, runCommand } from "@lag/command";
import { backupEvent, backupService, type BackupEvent } from "@lag/contracts";
import { memoryLogger, startTestNats } from "@lag/testing";
import { startWorker, type RunningWorker } from "@lag/worker";
import { backupWorker } from "../../src/workers/backup/worker.ts";

const SMALL_FILES = 20_000;
const SMALL_DIRS = 200;
const LARGE_FILES = 8;
const LARGE_BYTES = 100 * 1024 * 1024;

function generate(src: string): number {
  let bytes = 0;
  for (let d = 0; d < SMALL_DIRS; d++) mkdirSync(join(src, `d${d}`), { recursive: true });
  for (let i = 0; i < SMALL_FILES; i++) {
    // 1 KiB … 19 KiB, 10 KiB on average.
    const b = randomBytes(1024 * (1 + (i % 19)));
    writeFileSync(join(src, `d${i % SMALL_DIRS}`, `f${i}.bin`), b);
    bytes += b.length;
  }
  mkdirSync(join(src, "large"));
  for (let i = 0; i < LARGE_FILES; i++) {
    const b = randomBytes(LARGE_BYTES);
    writeFileSync(join(src, "large", `l${i}.bin`), b);
    bytes += b.length;
  }
  return bytes;
}

function waitFor<K extends BackupEvent["kind"]>(
  events: BackupEvent[],
  kind: K,
  runId: string,
  timeoutMs = 600_000,
): Promise<Extract<BackupEvent, { kind: K }>> {
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      const e = events.find((x) => x.kind === kind && x.runId === runId);
      if (e) return resolve(e as Extract<BackupEvent, { kind: K }>);
      const failed = events.find((x) => x.kind === "failed" && x.runId === runId);
      if (failed) return reject(new Error(`${runId} failed: ${JSON.stringify(failed)}`));
      if (Date.now() - t0 > timeoutMs) return reject(new Error(`no ${kind} event for ${runId}`));
      setTimeout(poll, 5);
    };
    poll();
  });
}

export const benchmark: Benchmark = {
  name: "backup",
  description: "the backup worker against restic by hand on ~1 GB of mixed files: first and second backup, restore, drill",
  async run(ctx): Promise<BenchReport> {
    const restic = findProgram("restic", "LAG_RESTIC");
    const dir = mkdtempSync(join(tmpdir(), "lag-bench-backup-"));
    const src = join(dir, "src");
    ctx.progress("generating ~1 GB of files");
    const total = generate(src);
    const pw = join(dir, "pw");
    writeFileSync(pw, "bench-password\n");
    const workerRepo = join(dir, "repo-worker");
    const handRepo = join(dir, "repo-hand");
    const config = join(dir, "lag.yaml");
    writeFileSync(
      config,
      `dataDir: ${dir}/data
log: { level: warn }
it:
  monitor: { host: bench }
  backup:
    repositories:
      bench: { url: ${workerRepo}, password: { file: ${pw} } }
    plans:
      - { name: bench, paths: [${src}], repositories: [bench], drillSample: 500 }
`,
    );
    const nats = await startTestNats();
    let worker: RunningWorker | undefined;
    const env = { RESTIC_PASSWORD_FILE: pw, RESTIC_CACHE_DIR: join(dir, "cache-hand") };
    const hand = (args: string[], repo: string) =>
      runCommand(restic, ["-r", repo, "--json", ...args], { env, timeoutMs: 3_600_000, maxBuffer: 1 << 20 });
    const fresh = async (repo: string, cache: string) => {
      rmSync(repo, { recursive: true, force: true });
      rmSync(cache, { recursive: true, force: true });
      const r = await hand(["init"], repo);
      if (!r.ok) throw new Error(`restic init: ${r.stderr}`);
    };
    try {
      await nats.provisionStreams();
      worker = await startWorker(backupWorker, {
        env: { LAG_CONFIG: config, NATS_URL: nats.url },
        logger: memoryLogger("it-backup").logger,
      });
      const bus: Bus = await nats.bus("cli");
      const events: BackupEvent[] = [];
      bus.subscribe(backupEvent, (d) => void events.push(d.data));
      await bus.nc.flush();
      const workerBackup = async (): Promise<Metrics> => {
        const t0 = performance.now();
        const r = await bus.request(backupService.endpoints.run, { plan: "bench" });
        const done = await waitFor(events, "completed", r.runId);
        const ms = performance.now() - t0;
        await waitFor(events, "finished", r.runId);
        return { seconds: ms / 1000, mbPerSec: total / 1e6 / (ms / 1000), added: done.bytesAdded / 1e6 };
      };
      const handBackup = async (): Promise<Metrics> => {
        const t0 = performance.now();
        const r = await hand(["backup", "--host", "bench", "--tag", "plan:bench", "--", src], handRepo);
        const ms = performance.now() - t0;
        if (!r.ok) throw new Error(`restic backup: ${r.stderr}`);
        return { seconds: ms / 1000, mbPerSec: total / 1e6 / (ms / 1000) };
      };
      const workerCache = join(dir, "data", "restic-cache");

      ctx.progress("first backup, worker and by hand");
      const first: VariantSpec[] = [
        {
          name: "worker",
          description: "lag backup run: request → completed event (restic --json read, progress published, catalogue written)",
          run: async () => {
            await fresh(workerRepo, workerCache);
            return workerBackup();
          },
        },
        {
          name: "restic by hand",
          description: "restic backup --json into an empty repository",
          run: async () => {
            await fresh(handRepo, env.RESTIC_CACHE_DIR);
            return handBackup();
          },
        },
      ];
      const fv = await compareVariants(ctx, "first backup", "seconds", first, (m) => `${m.seconds!.toFixed(2)} s`);

      ctx.progress("second backup of unchanged data");
      const second: VariantSpec[] = [
        { name: "worker", description: "the same plan again: nothing changed", run: workerBackup },
        { name: "restic by hand", description: "the same restic backup again", run: handBackup },
      ];
      const sv = await compareVariants(ctx, "second backup", "seconds", second, (m) => `${m.seconds!.toFixed(2)} s`);

      ctx.progress("restore");
      const restore: VariantSpec[] = [
        {
          name: "worker",
          description: "lag backup restore: request → restored event",
          run: async () => {
            const target = join(dir, "restore-worker");
            rmSync(target, { recursive: true, force: true });
            const t0 = performance.now();
            const r = await bus.request(backupService.endpoints.restore, { plan: "bench", target, paths: [] });
            await waitFor(events, "restored", r.runId);
            const ms = performance.now() - t0;
            rmSync(target, { recursive: true, force: true });
            return { seconds: ms / 1000, mbPerSec: total / 1e6 / (ms / 1000) };
          },
        },
        {
          name: "restic by hand",
          description: "restic restore latest",
          run: async () => {
            const target = join(dir, "restore-hand");
            rmSync(target, { recursive: true, force: true });
            const t0 = performance.now();
            const r = await hand(["restore", "latest", "--target", target], handRepo);
            const ms = performance.now() - t0;
            if (!r.ok) throw new Error(`restic restore: ${r.stderr}`);
            rmSync(target, { recursive: true, force: true });
            return { seconds: ms / 1000, mbPerSec: total / 1e6 / (ms / 1000) };
          },
        },
      ];
      const rv = await compareVariants(ctx, "restore", "seconds", restore, (m) => `${m.mbPerSec!.toFixed(0)} MB/s`);

      ctx.progress("drill");
      const drill: VariantSpec[] = [
        {
          name: "drill",
          description:
            "restore a random sample of 500 files with --verify (every chunk's SHA-256), 32 of them hashed whole against restic dump",
          run: async () => {
            const t0 = performance.now();
            const r = await bus.request(backupService.endpoints.drill, { plan: "bench" });
            const d = await waitFor(events, "drill", r.runId);
            if (!d.passed) throw new Error(`drill failed: ${JSON.stringify(d)}`);
            return { seconds: (performance.now() - t0) / 1000, files: d.filesCompared };
          },
        },
      ];
      const dv = await compareVariants(ctx, "drill", "seconds", drill, (m) => `${m.seconds!.toFixed(2)} s for ${m.files} files`);
      const firstRatio = ratio("worker / restic by hand", fv, "worker", "restic by hand", "seconds", {
        statement: "worker ≤ 1.05 × restic by hand",
        op: "<=",
        limit: 1.05,
      });
      return {
        facts: {
          data: `${(total / 1e9).toFixed(2)} GB: ${SMALL_FILES.toLocaleString("en")} files of 1–19 KiB in ${SMALL_DIRS} folders, ${LARGE_FILES} of ${LARGE_BYTES / 1024 / 1024} MiB`,
          repository: "local folder, restic default compression (auto)",
        },
        measurements: [
          {
            id: "backup-first",
            title: "First backup into an empty repository",
            key: "seconds",
            units: { seconds: "s", mbPerSec: "MB/s", added: "MB" },
            variants: fv,
            ratios: [firstRatio],
            notes: [],
          },
          {
            id: "backup-second",
            title: "Second backup, nothing changed",
            key: "seconds",
            units: { seconds: "s", mbPerSec: "MB/s", added: "MB" },
            variants: sv,
            ratios: [ratio("worker / restic by hand", sv, "worker", "restic by hand", "seconds")],
            notes: [],
          },
          {
            id: "backup-restore",
            title: "Restore of the whole snapshot",
            key: "seconds",
            units: { seconds: "s", mbPerSec: "MB/s" },
            variants: rv,
            ratios: [ratio("worker / restic by hand", rv, "worker", "restic by hand", "seconds")],
            notes: [],
          },
          {
            id: "backup-drill",
            title: "Restore drill (a sample of 500 files verified, 32 hashed whole)",
            key: "seconds",
            units: { seconds: "s", files: "files" },
            variants: dv,
            ratios: [],
            notes: [],
          },
        ],
      };
    } finally {
      await worker?.shutdown("bench").catch(() => undefined);
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
