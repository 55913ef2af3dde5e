import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { mapLimit } from "@lag/async";
import { findProgram } from "@lag/command";
import { PlanConfig } from "./config.ts";
import { Restic, type RetentionPolicy } from "./restic/restic.ts";
import { planTag } from "./runner.ts";

/**
 * Retention against restic itself: a generated history of snapshots (one a day at 03:00 for 70
 * days, plus a few extra on some days), `forget --dry-run --json` with the plan's default policy,
 * compared with the policy worked out here by its definition: for each kind, the newest snapshot
 * of each of the last n periods that have one (and the oldest, while periods are left over).
 */
const binary = findProgram("restic", "LAG_RESTIC");
let restic: Restic;
let times: Date[];

function isoWeek(d: Date): number {
  const t = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = new Date(Date.UTC(t.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((t.getTime() - yearStart.getTime()) / 86_400_000 + 1) / 7);
  return t.getUTCFullYear() * 100 + week;
}

const BUCKETS: Record<keyof RetentionPolicy, ((d: Date) => number) | undefined> = {
  last: undefined,
  hourly: (d) => ((d.getFullYear() * 100 + d.getMonth()) * 100 + d.getDate()) * 100 + d.getHours(),
  daily: (d) => (d.getFullYear() * 100 + d.getMonth()) * 100 + d.getDate(),
  weekly: isoWeek,
  monthly: (d) => d.getFullYear() * 100 + d.getMonth(),
  yearly: (d) => d.getFullYear(),
};

function expectedKeep(all: readonly Date[], policy: RetentionPolicy): Set<number> {
  const newestFirst = [...all].sort((a, b) => b.getTime() - a.getTime());
  const keep = new Set<number>();
  for (const [kind, n] of Object.entries(policy) as [keyof RetentionPolicy, number | undefined][]) {
    if (!n) continue;
    const key = BUCKETS[kind];
    let left = n;
    let last: number | undefined;
    for (const t of newestFirst) {
      if (left === 0) break;
      const k = key ? key(t) : t.getTime();
      if (k !== last) {
        keep.add(t.getTime());
        last = k;
        left--;
      }
    }
    // restic ≥ 0.16: a rule with periods left over keeps the oldest snapshot too (the history it has is all it gets).
    if (left > 0 && newestFirst.length > 0) keep.add(newestFirst.at(-1)!.getTime());
  }
  return keep;
}

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), "lag-retention-"));
  const src = join(dir, "src");
  mkdirSync(src);
  writeFileSync(join(src, "f.txt"), "x");
  writeFileSync(join(dir, "pw"), "retention\n");
  restic = new Restic({
    binary,
    cacheDir: join(dir, "cache"),
    repo: { name: "r", url: join(dir, "repo"), password: { file: join(dir, "pw") } },
  });
  await restic.init();
  const end = new Date(2026, 10, 30, 3, 0, 0);
  times = [];
  for (let i = 0; i < 70; i++) times.push(new Date(end.getTime() - i * 86_400_000));
  // Some days have a manual run too: only the newest of a day counts for daily.
  for (const i of [0, 3, 20]) times.push(new Date(end.getTime() - i * 86_400_000 + 5 * 3_600_000));
  await mapLimit(times, 2, (time) => restic.backup({ paths: [src], tags: [planTag("history")], host: "kronos", time }));
}, 120_000);

describe("retention", () => {
  it("forget keeps exactly what the plan's default policy says (7 daily, 4 weekly, 6 monthly)", async () => {
    const policy = PlanConfig.parse({ name: "history", paths: ["/x"], repositories: ["r"] }).retention;
    expect(policy).toEqual({ daily: 7, weekly: 4, monthly: 6 });
    const r = await restic.forget(policy, { tags: [planTag("history")], dryRun: true });
    const kept = new Set(r.keep.map((s) => new Date(s.time).getTime()));
    const want = expectedKeep(times, policy);
    expect([...kept].sort()).toEqual([...want].sort());
    expect(r.keep.length + r.remove.length).toBe(times.length);
    // Periods overlap (this week's newest is today's): fewer than the sum, more than the largest rule.
    expect(want.size).toBeGreaterThan(7);
    expect(want.size).toBeLessThan(17);
    // A dry run removed nothing.
    expect((await restic.snapshots([planTag("history")])).length).toBe(times.length);
  });

  it("a policy with last and yearly too", async () => {
    const policy = { last: 2, daily: 3, yearly: 2 };
    const r = await restic.forget(policy, { tags: [planTag("history")], dryRun: true });
    expect(new Set(r.keep.map((s) => new Date(s.time).getTime()))).toEqual(expectedKeep(times, policy));
  });
});
