import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { findProgram } from "@lag/command";
import { Restic, ResticError, resticVersion, type Repository } from "./restic.ts";

/** The restic runner against the real restic (≥ 0.18, from infra/setup) and real files. */
const binary = findProgram("restic", "LAG_RESTIC");
let dir: string;
let src: string;
let repo: Repository;

function restic(r: Repository = repo, env: NodeJS.ProcessEnv = process.env): Restic {
  return new Restic({ binary, repo: r, cacheDir: join(dir, "cache"), env });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lag-restic-"));
  src = join(dir, "src");
  mkdirSync(join(src, "sub"), { recursive: true });
  writeFileSync(join(src, "a.txt"), "hello\n");
  writeFileSync(join(src, "sub", "b.bin"), Buffer.alloc(300_000, 7));
  writeFileSync(join(dir, "pw"), "correct horse\n");
  repo = { name: "local", url: join(dir, "repo"), password: { file: join(dir, "pw") } };
});

describe("Restic", () => {
  it("is at least 0.18", async () => {
    const [maj, min] = (await resticVersion(binary)).split(".").map(Number);
    expect(maj! > 0 || min! >= 18).toBe(true);
  });

  it("init creates the repository once; backup, snapshots, files and restore give back the same bytes", async () => {
    expect(await restic().init()).toBe(true);
    expect(await restic().init()).toBe(false);
    const statuses: number[] = [];
    const b = await restic().backup({
      paths: [src],
      tags: ["plan:test"],
      host: "kronos",
      onStatus: (s) => void statuses.push(s.percent_done),
    });
    expect(b.summary.snapshot_id).toMatch(/^[0-9a-f]{64}$/);
    expect(b.summary.files_new).toBe(2);
    expect(b.unreadable).toEqual([]);
    const snaps = await restic().snapshots(["plan:test"]);
    expect(snaps.map((s) => s.id)).toEqual([b.summary.snapshot_id]);
    expect(snaps[0]!.hostname).toBe("kronos");
    const files = await restic().files(b.summary.snapshot_id!);
    expect(files.map((f) => f.path).sort()).toEqual([join(src, "a.txt"), join(src, "sub", "b.bin")].sort());
    const target = join(dir, "out");
    const r = await restic().restore(b.summary.snapshot_id!, target);
    expect(r.files_restored).toBeGreaterThanOrEqual(2);
    expect(readFileSync(join(target, src, "sub", "b.bin")).equals(readFileSync(join(src, "sub", "b.bin")))).toBe(true);
    const sha = await restic().sha256(b.summary.snapshot_id!, join(src, "sub", "b.bin"));
    expect(sha).toBe(
      createHash("sha256")
        .update(readFileSync(join(src, "sub", "b.bin")))
        .digest("hex"),
    );
    expect((await restic().check({ subset: "1/1" })).ok).toBe(true);
  });

  it("a dump command's output lands in the snapshot; a failing one fails the backup", async () => {
    const ok = await restic().backup({
      paths: [],
      host: "kronos",
      tags: ["plan:dump"],
      stdinFromCommand: { command: ["sh", "-c", "echo 'CREATE TABLE t (x int);'"], filename: "db.sql" },
    });
    const files = await restic().files(ok.summary.snapshot_id!);
    expect(files.map((f) => f.path)).toEqual(["/db.sql"]);
    await expect(
      restic().backup({
        paths: [],
        host: "kronos",
        tags: ["plan:dump"],
        stdinFromCommand: { command: ["sh", "-c", "echo partial; exit 4"], filename: "db.sql" },
      }),
    ).rejects.toThrow(ResticError);
    expect(await restic().snapshots(["plan:dump"])).toHaveLength(1);
  });

  it("says what to do: a missing repository, a wrong password, an unset password variable", async () => {
    const missing = await restic({ ...repo, url: join(dir, "nope") })
      .snapshots()
      .catch((e) => e);
    expect(missing).toBeInstanceOf(ResticError);
    expect((missing as ResticError).failure).toBe("no-repository");
    expect((missing as ResticError).message).toContain("lag backup init");
    writeFileSync(join(dir, "bad"), "wrong\n");
    const wrong = await restic({ ...repo, password: { file: join(dir, "bad") } })
      .snapshots()
      .catch((e) => e);
    expect((wrong as ResticError).failure).toBe("wrong-password");
    const unset = await restic({ ...repo, password: { env: "LAG_TEST_NO_SUCH_VAR" } }, {})
      .snapshots()
      .catch((e) => e);
    expect((unset as ResticError).failure).toBe("missing-secret");
  });

  it("a password from a variable reaches restic through a pipe, never its command line", async () => {
    const env = { ...process.env, LAG_TEST_RESTIC_PW: "correct horse" };
    let cmdline = "";
    const r = new Restic({ binary, repo: { ...repo, password: { env: "LAG_TEST_RESTIC_PW" } }, cacheDir: join(dir, "cache"), env });
    const b = await r.backup({
      paths: [src],
      host: "kronos",
      tags: ["plan:pipe"],
      onSpawn: (pid) => {
        try {
          cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
        } catch {
          cmdline = "(gone)";
        }
      },
    });
    expect(b.summary.snapshot_id).toBeTruthy();
    expect(cmdline.length).toBeGreaterThan(0);
    expect(cmdline).not.toContain("correct horse");
  });

  it("retention: forget --dry-run says which snapshots a policy keeps", async () => {
    for (let i = 0; i < 3; i++) {
      writeFileSync(join(src, "a.txt"), `version ${i}\n`);
      await restic().backup({ paths: [src], host: "kronos", tags: ["plan:keep"] });
    }
    const plan = await restic().forget({ last: 2 }, { tags: ["plan:keep"], dryRun: true });
    expect(plan.keep).toHaveLength(2);
    expect(plan.remove).toHaveLength(1);
    expect(await restic().snapshots(["plan:keep"])).toHaveLength(3);
    await restic().forget({ last: 2 }, { tags: ["plan:keep"] });
    expect(await restic().snapshots(["plan:keep"])).toHaveLength(2);
  });

  it("passes the repository's extended options, and restic names one it does not know", async () => {
    expect((await restic({ ...repo, options: { "local.connections": "1" } }).snapshots()).length).toBeGreaterThan(0);
    const err = await restic({ ...repo, options: { "local.nonsense": "1" } })
      .snapshots()
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResticError);
    expect((err as ResticError).message).toContain("option local.nonsense is not known");
  });

  it("a lock left by a killed restic is cleared, and the command that met it runs", async () => {
    // A backup killed with -9 while it streams a dump leaves its lock behind; forget needs the repository alone.
    const killed = spawn(binary, ["-r", repo.url, "backup", "--stdin-from-command", "--", "sleep", "30"], {
      env: { ...process.env, RESTIC_PASSWORD_FILE: (repo.password as { file: string }).file },
      stdio: "ignore",
    });
    const locks = join(repo.url, "locks");
    for (let i = 0; i < 100 && readdirSync(locks).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(readdirSync(locks).length).toBe(1);
    killed.kill("SIGKILL");
    await new Promise((r) => killed.once("exit", r));
    expect(readdirSync(locks).length).toBe(1);
    const r = await restic().forget({ last: 100 }, { dryRun: true });
    expect(r.keep.length).toBeGreaterThan(0);
    expect(readdirSync(locks)).toEqual([]);
  });
});
