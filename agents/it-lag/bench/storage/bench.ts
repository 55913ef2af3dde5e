/**
 * bench/storage: the library walk of the storage worker (`walk`, agents/it-lag/src/workers/storage).
 *
 *   1. a tree of 40,000 files in 2,000 folders walked unthrottled, against `du -s -x -B1` over the
 *      same tree (the system's own walk, what a cron job would run);
 *   2. the same walk at the default CPU share (0.25): its CPU time over its wall time, which the
 *      throttle must hold near the share (goal: ≤ share + 0.05).
 *
 * The tree is in the system's temp folder, so its page cache is warm after the warm-up run: these
 * are figures for a tree whose metadata is cached, as it is on a host that walks it every few hours.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchReport, Benchmark, Metrics } from "@lag/bench";
import { compareVariants, ratio } from "@lag/bench";
import { walk } from "../../src/workers/storage/walk.ts";

const FOLDERS = 2_000;
const FILES_PER_FOLDER = 20;
const SHARE = 0.25;

export const benchmark: Benchmark = {
  name: "storage",
  description: "the library walk: unthrottled against du, and its CPU share when throttled",
  async run(ctx): Promise<BenchReport> {
    const root = mkdtempSync(join(tmpdir(), "lag-bench-walk-"));
    try {
      ctx.progress(`making ${FOLDERS * FILES_PER_FOLDER} files in ${FOLDERS} folders`);
      for (let d = 0; d < FOLDERS; d++) {
        const dir = join(root, `a${d % 50}`, `b${d}`);
        mkdirSync(dir, { recursive: true });
        for (let f = 0; f < FILES_PER_FOLDER; f++) writeFileSync(join(dir, `f${f}.bin`), Buffer.alloc((f * 37) % 5000));
      }
      const timed = (share: number) => async (): Promise<Metrics> => {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const fig = await walk(root, { cpuShare: share });
        const ms = performance.now() - t0;
        const c = process.cpuUsage(c0);
        if (fig.files !== FOLDERS * FILES_PER_FOLDER) throw new Error(`walked ${fig.files} files`);
        return { ms, cpuShare: (c.user + c.system) / 1000 / ms };
      };
      const du = async (): Promise<Metrics> => {
        const t0 = performance.now();
        execFileSync("du", ["-s", "-x", "-B1", root]);
        return { ms: performance.now() - t0 };
      };
      const speed = await compareVariants(
        ctx,
        "walk",
        "ms",
        [
          { name: "walk", description: "walk(), cpuShare 1 (never sleeps)", run: timed(1) },
          { name: "du", description: "du -s -x -B1 over the same tree (a child process)", run: du },
        ],
        (m) => `${m.ms!.toFixed(0)} ms`,
      );
      const throttled = await compareVariants(
        ctx,
        "throttled",
        "cpuShare",
        [
          { name: `share ${SHARE}`, description: `walk(), cpuShare ${SHARE} (the default)`, run: timed(SHARE) },
          { name: "share 1", description: "walk(), cpuShare 1", run: timed(1) },
        ],
        (m) => `${(m.cpuShare! * 100).toFixed(1)} % of a core in ${m.ms!.toFixed(0)} ms`,
      );
      const got = throttled.find((v) => v.name === `share ${SHARE}`)!.median.cpuShare!;
      return {
        facts: { tree: `${FOLDERS * FILES_PER_FOLDER} files in ${FOLDERS + 50} folders (page cache warm)` },
        measurements: [
          {
            id: "storage-walk",
            title: "Walking a library folder, against du",
            key: "ms",
            units: { ms: "ms" },
            variants: speed,
            ratios: [ratio("walk / du", speed, "walk", "du", "ms")],
            notes: [
              "du is C reading the same metadata; walk() reads it with Node's synchronous calls, 512 entries at a time, yielding to the event loop between slices (about 3 ms each here)",
            ],
          },
          {
            id: "storage-walk-share",
            title: `The walk's CPU share when throttled to ${SHARE}`,
            key: "cpuShare",
            units: { cpuShare: "of a core", ms: "ms" },
            variants: throttled,
            ratios: [ratio(`share ${SHARE} / share 1`, throttled, `share ${SHARE}`, "share 1", "cpuShare")],
            notes: [
              `measured ${(got * 100).toFixed(1)} % of a core (goal ≤ ${((SHARE + 0.05) * 100).toFixed(0)} %: ${got <= SHARE + 0.05 ? "met" : "NOT met"})`,
            ],
          },
        ],
      };
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};
