import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backupService } from "@lag/contracts";
import { findProgram } from "@lag/command";
import { Restic } from "../agents/it-lag/src/workers/backup/restic/restic.ts";
import {
  dockerCli,
  ensureBusyboxImage,
  eventually,
  removeContainers,
  runContainer,
  startTestNats,
  testContainerPrefix,
  type TestNats,
} from "@lag/testing";
import { cleanEnv, lag, root } from "../packages/cli/test/run-lag.fixture.ts";
import { watchBackups, type BackupWatch } from "./backup.fixture.ts";

/**
 * kill -9 of the backup worker in the middle of a run that stopped a container and streams a
 * dump; down long enough to miss a scheduled run of another plan. Started again, it marks the run
 * interrupted (event and alert), stops the restic the crash left running, clears its lock (the
 * repository then passes `restic check`), starts the container, raises the missed run and makes
 * both runs up.
 */
const prefix = testContainerPrefix("backupcrash");
const dbName = `${prefix}db`;
const appName = `${prefix}app`;
let nats: TestNats;
let dir: string;
let config: string;
let watch: BackupWatch;
let child: ChildProcess | undefined;
let childOut = "";

function backupProcess(): ChildProcess {
  const p = spawn(process.execPath, ["--import", "tsx", "agents/it-lag/src/workers/backup/main.ts"], {
    cwd: root,
    env: { ...cleanEnv(), LAG_CONFIG: config, NATS_URL: nats.url },
    stdio: ["ignore", "pipe", "pipe"],
  });
  p.stdout!.on("data", (b: Buffer) => (childOut += b.toString()));
  p.stderr!.on("data", (b: Buffer) => (childOut += b.toString()));
  return p;
}

/** restic processes working on a repository. */
function resticsOn(repo: string): string[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .flatMap((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
        return argv[0]!.endsWith("restic") && argv.includes(repo) ? [argv.join(" ")] : [];
      } catch {
        return [];
      }
    });
}

const status = async (name: string) => (await dockerCli(["inspect", "-f", "{{.State.Status}}", name])).stdout.trim();

beforeAll(async () => {
  const image = await ensureBusyboxImage();
  nats = await startTestNats();
  await nats.provisionStreams();
  dir = mkdtempSync(join(tmpdir(), "lag-backup-crash-"));
  writeFileSync(join(dir, "pw"), "crash-test-password\n");
  mkdirSync(join(dir, "small"));
  writeFileSync(join(dir, "small", "a.txt"), "a\n");
  await runContainer([
    "--name",
    dbName,
    image,
    "sh",
    "-c",
    "mkdir -p /data; echo 'INSERT 1;' > /data/db.sql; touch /data/slow; exec sleep 600",
  ]);
  await runContainer(["--name", appName, "--stop-timeout", "1", image, "sleep", "600"]);
  config = join(dir, "lag.yaml");
  writeFileSync(
    config,
    `dataDir: ${dir}/data
it:
  monitor: { host: crashtest }
  backup:
    repositories:
      local: { url: ${dir}/repo, password: { file: ${dir}/pw } }
      quick: { url: ${dir}/repo-quick, password: { file: ${dir}/pw } }
    plans:
      - name: slow
        repositories: [local]
        hooks:
          stop: [${appName}]
          # Slow while /data/slow exists: a window to crash in.
          dump: { container: ${dbName}, command: [sh, -c, "cat /data/db.sql; if [ -f /data/slow ]; then sleep 30; fi"], filename: db.sql }
      # A window of its own: until \`backup init\` made its repository, its runs fail, and a 5 s window would raise
      # backup-missed before the crash; what this test wants is the missed run noticed at the next start.
      - { name: every, paths: [${dir}/small], repositories: [quick], schedule: { cron: "*/4 * * * * *", timezone: UTC }, window: 1h }
`,
  );
  watch = await watchBackups(nats);
  child = backupProcess();
  const env = cleanEnv({ NATS_URL: nats.url });
  await eventually(async () => (await lag(["backup", "init", "slow"], env)).code === 0, 30_000, `init; worker said:\n${childOut}`);
  expect((await lag(["backup", "init", "every"], env)).code).toBe(0);
}, 120_000);

afterAll(async () => {
  child?.kill("SIGKILL");
  await watch?.bus.close();
  await removeContainers(prefix);
  await nats?.stop();
});

describe("kill -9 of the backup worker mid-run", () => {
  it("marks the run interrupted, clears the lock, starts the container, raises the missed run and makes both up", async () => {
    const started = await watch.bus.request(backupService.endpoints.run, { plan: "slow" });
    expect(started.started).toBe(true);
    await eventually(async () => (await status(appName)) === "exited", 20_000, "the hook stopped the app");
    // The dump is streaming (restic is running and holds its lock).
    await new Promise((r) => setTimeout(r, 1500));
    child!.kill("SIGKILL");
    await new Promise((r) => child!.once("exit", r));
    expect(await status(appName)).toBe("exited");
    // restic, in its own process group, dies of its next write to the dead worker's pipe, or is
    // stopped at the next start: either way its lock stays behind, for the next start to clear.
    // Down through at least one scheduled time of `every` (every 4 s); the next dump is quick.
    await dockerCli(["exec", dbName, "rm", "/data/slow"]);
    await new Promise((r) => setTimeout(r, 5000));
    child = backupProcess();

    const end = await watch.event("finished", (e) => e.runId === started.runId, 60_000);
    expect(end.status).toBe("interrupted");
    const interrupted = await watch.alert((a) => a.rule === "backup-failed" && a.labels.plan === "slow" && a.labels.step === "interrupted");
    expect(interrupted.status).toBe("firing");
    const missed = await watch.alert((a) => a.rule === "backup-missed" && a.labels.plan === "every" && a.status === "firing");
    expect(missed.summary).toMatch(/did not happen: it-backup was not running/);

    // Both made up, with trigger "missed"; the alerts resolve.
    await watch.event("started", (e) => e.plan === "slow" && e.trigger === "missed", 30_000);
    const madeUp = await watch.event("finished", (e) => e.plan === "slow" && e.runId !== started.runId, 60_000);
    expect(madeUp.status, childOut.slice(-3000)).toBe("ok");
    await watch.alert((a) => a.rule === "backup-missed" && a.labels.plan === "every" && a.status === "resolved", 30_000);
    await watch.alert((a) => a.rule === "backup-failed" && a.labels.step === "interrupted" && a.status === "resolved", 30_000);
    expect(await status(appName)).toBe("running");

    // No restic left from before the crash, and the repository is sound.
    expect(resticsOn(join(dir, "repo"))).toEqual([]);
    const restic = new Restic({
      binary: findProgram("restic", "LAG_RESTIC"),
      cacheDir: join(dir, "cache"),
      repo: { name: "local", url: join(dir, "repo"), password: { file: join(dir, "pw") } },
    });
    expect(await restic.check()).toMatchObject({ ok: true, errors: 0 });
    const snaps = await restic.snapshots(["plan:slow"]);
    expect(snaps.length).toBeGreaterThanOrEqual(1);
  }, 180_000);
});
