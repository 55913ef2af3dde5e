import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ceoWorker } from "@lag/ceo-lag";
import type { BackupEvent, PlanStatus } from "@lag/contracts";
import { backupWorker } from "@lag/it-lag";
import { freePort } from "@lag/launcher";
import {
  dockerCli,
  ensureBusyboxImage,
  eventually,
  memoryLogger,
  removeContainers,
  runContainer,
  startRestServer,
  startTestNats,
  testContainerPrefix,
  type TestNats,
  type TestRestServer,
} from "@lag/testing";
import { startWorker, type RunningWorker } from "@lag/worker";
import { cleanEnv, jsonOf, lag, LagProcess } from "../packages/cli/test/run-lag.fixture.ts";
import { treeHashes, watchBackups, type BackupWatch } from "./backup.fixture.ts";

/**
 * The backup worker end to end, with real restic, real files, a real REST server as the off-site
 * repository, a real container for the dump and the stop hook, CEO_LAG for the approval of a
 * restore over live data, and the real CLI.
 */
const prefix = testContainerPrefix("backup");
const dbName = `${prefix}db`;
const appName = `${prefix}app`;
const PASSWORD_LOCAL = "local-secret-7f3a9c";
const PASSWORD_OFFSITE = "offsite-secret-2b8e4d";
let nats: TestNats;
let rest: TestRestServer;
let dir: string;
let image: string;
let watch: BackupWatch;
const workers: RunningWorker[] = [];
/** The outside dead-man's switch (Healthchecks.io's protocol) the `files` plan pings. */
const pings: string[] = [];
let pingServer: Server | undefined;
const log = memoryLogger("it-backup");
let sampler: ChildProcess | undefined;
let samples: string;

const env = () => cleanEnv({ NATS_URL: nats.url, LAG_USER: "ana" });
const run = (args: string[]) => lag(args, env());

/**
 * Every process's command line (and restic's environment), read every 50 ms while the
 * tests run, by a process of its own so the tests' event loop stays free: the passwords must never
 * be in one.
 */
const SAMPLER = `
const fs = require("node:fs");
const seen = new Set();
const out = fs.openSync(process.argv[1], "w");
setInterval(() => {
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(pid)) continue;
    try {
      const cmd = fs.readFileSync("/proc/" + pid + "/cmdline", "utf8");
      let line = "cmdline " + JSON.stringify(cmd);
      if (cmd.split("\\0")[0].endsWith("restic")) line += "\\nenviron " + JSON.stringify(fs.readFileSync("/proc/" + pid + "/environ", "utf8"));
      if (!seen.has(line)) { seen.add(line); fs.writeSync(out, line + "\\n"); }
    } catch {}
  }
}, 50);
`;

function write(path: string, content: string | Buffer): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
}

beforeAll(async () => {
  image = await ensureBusyboxImage();
  nats = await startTestNats();
  // LAG_IT belongs to the monitor, which this test does not run.
  await nats.provisionStreams();
  rest = await startRestServer();
  dir = mkdtempSync(join(tmpdir(), "lag-backup-"));
  writeFileSync(join(dir, "pw-local"), `${PASSWORD_LOCAL}\n`);
  writeFileSync(join(dir, "pw-wrong"), "not-the-password\n");
  process.env.LAG_TEST_OFFSITE_PW = PASSWORD_OFFSITE;
  // Mixed files: small ones, a larger one, nested folders, a file with a space.
  for (let i = 0; i < 40; i++) write(join(dir, "src", `d${i % 4}`, `f${i}.txt`), `file ${i}\n`.repeat(i + 1));
  write(join(dir, "src", "big.bin"), Buffer.alloc(3_000_000, 42));
  write(join(dir, "src", "with space.txt"), "spaces\n");
  write(join(dir, "src2", "a.txt"), "second\n");
  write(join(dir, "src3", "a.txt"), "third\n");
  write(join(dir, "live", "config.yaml"), "version: 1\n");
  write(join(dir, "fragile", "data.bin"), Buffer.from(Array.from({ length: 2_000_000 }, (_, i) => (i * 7919) % 251)));
  await runContainer(["--name", dbName, image, "sh", "-c", "mkdir -p /data; exec sleep 600"]);
  await dockerCli(["exec", dbName, "sh", "-c", 'for i in $(seq 1 500); do echo "INSERT INTO t VALUES ($i);"; done > /data/db.sql']);
  // `sleep` ignores SIGTERM: the container's own stop timeout (1 s) decides when it is killed.
  await runContainer(["--name", appName, "--stop-timeout", "1", image, "sleep", "600"]);
  const closed = await freePort();
  pingServer = createServer((req, res) => {
    pings.push(`${req.method} ${req.url}`);
    res.end("OK");
  }).listen(0, "127.0.0.1");
  await new Promise((r) => pingServer!.once("listening", r));
  const pingUrl = `http://127.0.0.1:${(pingServer.address() as { port: number }).port}/5f0c2b1a`;
  const config = join(dir, "lag.yaml");
  writeFileSync(
    config,
    `dataDir: ${dir}/data
it:
  monitor: { host: backuptest }
  backup:
    progressInterval: 100ms
    verify: { slices: 3 }
    repositories:
      local: { url: ${dir}/repo-local, password: { file: ${dir}/pw-local } }
      offsite: { url: ${rest.url}offsite, password: { env: LAG_TEST_OFFSITE_PW } }
      down: { url: "rest:http://127.0.0.1:${closed}/down", password: { file: ${dir}/pw-local }, probeTimeout: 3s }
      missing: { url: ${dir}/repo-missing, password: { file: ${dir}/pw-local } }
      wrongpw: { url: ${dir}/repo-local, password: { file: ${dir}/pw-wrong } }
      fragile: { url: ${dir}/repo-fragile, password: { file: ${dir}/pw-local } }
    plans:
      - { name: files, paths: [${dir}/src], repositories: [local, offsite], tags: [kronos], ping: "${pingUrl}" }
      - name: db
        repositories: [local]
        hooks:
          dump:
            container: ${dbName}
            command: [cat, /data/db.sql]
            filename: db.sql
            drill: { image: ${image}, command: [sh, -c, "grep -c INSERT /drill/db.sql"] }
      - { name: split, paths: [${dir}/src2], repositories: [local, down] }
      - { name: nope, paths: [${dir}/src2], repositories: [missing] }
      - { name: badpw, paths: [${dir}/src2], repositories: [wrongpw] }
      - { name: stopper, paths: [${dir}/src3], repositories: [local], hooks: { stop: [${appName}] } }
      - { name: live, paths: [${dir}/live], repositories: [local] }
      - { name: gone, paths: [${dir}/src3, ${dir}/unmounted], repositories: [local] }
      - { name: fragile, paths: [${dir}/fragile], repositories: [fragile] }
ceo: {}
`,
  );
  watch = await watchBackups(nats);
  const wenv = { LAG_CONFIG: config, NATS_URL: nats.url };
  samples = join(dir, "processes.txt");
  sampler = spawn(process.execPath, ["-e", SAMPLER, samples], { stdio: "ignore" });
  workers.push(
    ...(await Promise.all([
      startWorker(backupWorker, { env: wenv, logger: log.logger }),
      startWorker(ceoWorker, { env: wenv, logger: memoryLogger("ceo").logger }),
    ])),
  );
  for (const plan of ["files", "db", "split", "stopper", "live", "fragile"]) {
    const r = await run(["backup", "init", plan]);
    if (plan === "split") expect(r.stdout).toMatch(/down: .*did not answer|down: .*ECONNREFUSED/);
    else expect(r.code, r.stderr).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  sampler?.kill();
  for (const w of workers) await w.shutdown("test").catch(() => undefined);
  await watch?.bus.close();
  await rest?.stop();
  pingServer?.close();
  await removeContainers(prefix);
  await nats?.stop();
  delete process.env.LAG_TEST_OFFSITE_PW;
});

describe("lag backup", () => {
  it("init creates only what is missing", async () => {
    const r = await run(["backup", "init", "files", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(jsonOf<{ name: string; created: boolean }[]>(r)).toEqual([
      { name: "local", created: false },
      { name: "offsite", created: false },
    ]);
  });

  it("run → a snapshot in both repositories → restore gives back every file byte for byte", async () => {
    const r = await run(["backup", "run", "files"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/✓ local files: snapshot [0-9a-f]{8}, 42 new/);
    expect(r.stderr).toMatch(/✓ offsite files: snapshot/);
    expect(r.stderr).toMatch(/ok in/);
    const done = watch.events.filter((e): e is Extract<BackupEvent, { kind: "completed" }> => e.kind === "completed" && e.plan === "files");
    expect(done.map((e) => e.repository).sort()).toEqual(["local", "offsite"]);
    expect(done[0]!.filesNew).toBe(40 + 2);
    expect(watch.events.some((e) => e.kind === "pruned" && e.plan === "files" && e.repository === "offsite")).toBe(true);
    // The outside witness heard the start and the success.
    await eventually(() => pings.includes("GET /5f0c2b1a/start") && pings.some((p) => p.endsWith(" /5f0c2b1a")), 10_000, `pings: ${pings}`);

    const snaps = jsonOf<{ name: string; snapshots: { id: string; tags: string[]; host: string }[] }[]>(
      await run(["backup", "snapshots", "files", "--json"]),
    );
    for (const repo of snaps) {
      expect(repo.snapshots).toHaveLength(1);
      expect(repo.snapshots[0]!.tags).toEqual(expect.arrayContaining(["plan:files", "part:files", "kronos"]));
      expect(repo.snapshots[0]!.host).toBe("backuptest");
    }
    for (const repository of ["local", "offsite"]) {
      const target = join(dir, `restore-${repository}`);
      const rr = await run(["backup", "restore", "files", "--repository", repository, "--target", target]);
      expect(rr.code, rr.stderr).toBe(0);
      expect(rr.stderr).toMatch(/✓ restored \d+ files/);
      expect(treeHashes(join(target, dir, "src"))).toEqual(treeHashes(join(dir, "src")));
    }
  }, 90_000);

  it("a dump run inside a container lands in the snapshot, restores, and its drill loads it", async () => {
    const r = await run(["backup", "run", "db", "--json"]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as BackupEvent);
    const dump = lines.find((e) => e.kind === "completed")!;
    expect(dump).toMatchObject({ part: "dump", repository: "local" });
    const target = join(dir, "restore-db");
    expect((await run(["backup", "restore", "db", "--target", target])).code).toBe(0);
    const original = (await dockerCli(["exec", dbName, "cat", "/data/db.sql"])).stdout;
    expect(readFileSync(join(target, "db.sql"), "utf8")).toBe(original);
    expect(original.split("\n").filter((l) => l.startsWith("INSERT"))).toHaveLength(500);

    const d = await run(["backup", "drill", "db", "--json"]);
    expect(d.code, d.stdout + d.stderr).toBe(0);
    const drill = d.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as BackupEvent)
      .find((e) => e.kind === "drill");
    expect(drill).toMatchObject({
      passed: true,
      filesCompared: 1,
      filesDumped: 1,
      filesInSnapshot: 1,
      mismatches: [],
      query: { ok: true },
    });
    if (drill?.kind === "drill") expect(drill.query!.output).toContain("500");
    // The drill's temporary folder is gone.
    expect(readdirSync(join(dir, "data", "drills"))).toEqual([]);
  }, 90_000);

  it("a failing dump fails the backup of that plan, and an empty dump is an anomaly", async () => {
    // Three normal runs make the baseline.
    for (let i = 0; i < 2; i++) expect((await run(["backup", "run", "db"])).code).toBe(0);
    await dockerCli(["exec", dbName, "sh", "-c", "echo '-- nothing' > /data/db.sql"]);
    expect((await run(["backup", "run", "db"])).code).toBe(0);
    const anomaly = await watch.alert((a) => a.rule === "backup-anomaly" && a.labels.plan === "db" && a.status === "firing");
    expect(anomaly.summary).toMatch(/the dump db.sql in local is \d+ B, the median of the last 3 is/);
    await dockerCli(["exec", dbName, "rm", "/data/db.sql"]);
    const r = await run(["backup", "run", "db"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/✗ local dump:/);
    const failed = await watch.alert((a) => a.rule === "backup-failed" && a.labels.plan === "db" && a.status === "firing");
    expect(failed.labels.repository).toBe("local");
  }, 90_000);

  it("two repositories, one unreachable: that one fails and alerts, the other gets its snapshot", async () => {
    const r = await run(["backup", "run", "split"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/✓ local files: snapshot/);
    expect(r.stderr).toMatch(/✗ down backup: down: the repository did not answer/);
    const a = await watch.alert((x) => x.rule === "backup-failed" && x.labels.plan === "split" && x.status === "firing");
    expect(a.labels.repository).toBe("down");
    expect(watch.events.find((e) => e.kind === "finished" && e.plan === "split")).toMatchObject({ status: "partial" });
    const list = jsonOf<PlanStatus[]>(await run(["backup", "list", "--json"]));
    const split = list.find((p) => p.plan === "split")!;
    expect(split.repositories.find((x) => x.name === "local")!.lastSuccess).toBeDefined();
    expect(split.repositories.find((x) => x.name === "down")!.lastError).toMatch(/did not answer/);
  }, 60_000);

  it("a missing repository and a wrong password say what to do, alert, and crash nothing", async () => {
    const nope = await run(["backup", "run", "nope"]);
    expect(nope.code).toBe(1);
    expect(nope.stderr).toContain("create it with `lag backup init <plan>`");
    const bad = await run(["backup", "run", "badpw"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("the password does not open this repository");
    await watch.alert((a) => a.rule === "backup-failed" && a.labels.plan === "nope" && a.summary.includes("lag backup init"));
    await watch.alert((a) => a.rule === "backup-failed" && a.labels.plan === "badpw" && a.summary.includes("password"));
    // Still serving.
    const list = await run(["backup", "list", "--json"]);
    const plans = jsonOf<PlanStatus[]>(list);
    expect(plans.find((p) => p.plan === "nope")!.rpo).toBe("red");
    const files = plans.find((p) => p.plan === "files")!;
    expect(files.rpo).toBe("green");
    // The size trend: the good runs so far, what each read and added.
    expect(files.sizes.length).toBeGreaterThanOrEqual(1);
    expect(files.sizes[0]!.bytes).toBeGreaterThan(3_000_000);
    expect(files.successRate30d).toBe(1);
    expect(list.code).toBe(1);
    // The same for a person: a table, with the plan that never succeeded in red.
    const text = await run(["backup", "list"]);
    expect(text.stdout).toMatch(/^PLAN\s+RPO\s+LAST GOOD/m);
    expect(text.stdout).toMatch(/^files\s+green\s+\S+ ago/m);
    expect(text.stdout).toMatch(/^nope\s+red\s+never/m);
  }, 60_000);

  it("a source path that does not exist makes the run partial and is named (restic alone skips it and exits 0)", async () => {
    const r = await run(["backup", "run", "gone"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1 unreadable: .*unmounted \(does not exist\)/);
    expect(watch.events.find((e) => e.kind === "finished" && e.plan === "gone")).toMatchObject({ status: "partial" });
  }, 60_000);

  it("a container stopped by a hook is stopped during the backup and running after it", async () => {
    const states: string[] = [];
    const poll = setInterval(() => {
      void dockerCli(["inspect", "-f", "{{.State.Status}}", appName]).then((r) => states.push(r.stdout.trim()));
    }, 50);
    const r = await run(["backup", "run", "stopper"]);
    clearInterval(poll);
    expect(r.code, r.stderr).toBe(0);
    expect(states).toContain("exited");
    expect((await dockerCli(["inspect", "-f", "{{.State.Status}}", appName])).stdout.trim()).toBe("running");
  }, 60_000);

  it("a restore over the live path waits for CEO_LAG's approval, then runs once", async () => {
    expect((await run(["backup", "run", "live"])).code).toBe(0);
    writeFileSync(join(dir, "live", "config.yaml"), "version: 2 (broken)\n");
    const r = await run(["backup", "restore", "live", "--target", "/"]);
    expect(r.code, r.stderr).toBe(3);
    const id = /lag approvals approve ([0-9a-f-]{36})/.exec(r.stderr)?.[1];
    expect(id, r.stderr).toBeDefined();
    expect(readFileSync(join(dir, "live", "config.yaml"), "utf8")).toContain("broken");
    const shown = jsonOf<{ state: string; request: { action: { kind: string } } }>(await run(["approvals", "show", id!, "--json"]));
    expect(shown).toMatchObject({ state: "pending", request: { action: { kind: "restore-backup" } } });
    expect((await run(["approvals", "approve", id!])).code).toBe(0);
    const restored = await watch.event("restored", (e) => e.plan === "live");
    expect(readFileSync(join(dir, "live", "config.yaml"), "utf8")).toBe("version: 1\n");
    // The restore run is the chain: `lag trace` by the request's id shows request, decision and result.
    const traced = jsonOf<{ type: string; correlationid?: string; data: { kind?: string } }[]>(await run(["trace", id!, "--json"]));
    expect(traced.map((e) => (e.type.includes(".backup.v") ? `backup ${e.data.kind}` : e.type))).toEqual([
      "es.lagrieta.it.approval.requested.v1",
      "es.lagrieta.ceo.approval.asked.v1",
      "es.lagrieta.ceo.approval.decided.v1",
      "backup restored",
    ]);
    expect(new Set(traced.map((e) => e.correlationid))).toEqual(new Set([restored.runId]));
  }, 60_000);

  it("the rotating check reads one slice at a time and finds a damaged pack; a drill of it fails", async () => {
    expect((await run(["backup", "run", "fragile"])).code).toBe(0);
    const first = await run(["backup", "check", "fragile", "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const v = first.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as BackupEvent)
      .find((e) => e.kind === "verified");
    expect(v).toMatchObject({ ok: true, check: "data", subset: "1/3", cycle: { done: 1, of: 3 } });
    // Damage every data pack: whichever slice is read next finds it.
    const packs = join(dir, "repo-fragile", "data");
    for (const sub of readdirSync(packs))
      for (const f of readdirSync(join(packs, sub))) {
        const p = join(packs, sub, f);
        const b = readFileSync(p);
        const at = Math.floor(b.length / 2);
        b[at] = b[at]! ^ 0xff;
        writeFileSync(p, b);
      }
    let failed: BackupEvent | undefined;
    for (let i = 0; i < 3 && !failed; i++) {
      const c = await run(["backup", "check", "fragile", "--json"]);
      failed = c.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as BackupEvent)
        .find((e) => e.kind === "verified" && !e.ok);
      if (failed) expect(c.code).toBe(1);
    }
    expect(failed).toBeDefined();
    const a = await watch.alert((x) => x.rule === "backup-check-failed" && x.labels.repository === "fragile" && x.status === "firing");
    expect(a.severity).toBe("high");
    const plan = jsonOf<PlanStatus[]>(await run(["backup", "list", "--json"])).find((p) => p.plan === "fragile")!;
    expect(plan.verification.lastData).toMatchObject({ ok: false });
    // A drill of the damaged repository fails too, and is a high alert.
    const d = await run(["backup", "drill", "fragile"]);
    expect(d.code, d.stderr).toBe(1);
    expect(d.stderr).toContain("✗ failed fragile");
    const drillAlert = await watch.alert((x) => x.rule === "backup-drill-failed" && x.labels.plan === "fragile" && x.status === "firing");
    expect(drillAlert.severity).toBe("high");
  }, 90_000);

  it("the backup follows with a progress bar; Ctrl-C of the CLI leaves the backup running", async () => {
    write(join(dir, "src", "more.bin"), Buffer.alloc(20_000_000, 9));
    const p = new LagProcess(["backup", "run", "files"], env());
    await p.waitForStderr("Ctrl-C leaves it running");
    p.child.kill("SIGINT");
    const r = await p.result();
    expect(r.code).toBe(130);
    expect(r.stderr).toContain("left run-");
    const runId = /left (run-[a-z0-9-]+) running/.exec(r.stderr)![1]!;
    const end = await watch.event("finished", (e) => e.runId === runId);
    expect(end.status).toBe("ok");
    rmSync(join(dir, "src", "more.bin"));
  }, 90_000);

  it("the passwords never appear in logs, events or any process's command line", () => {
    const lines = readFileSync(samples, "utf8").split("\n");
    const cmdlines = lines.filter((l) => l.startsWith("cmdline ")).map((l) => JSON.parse(l.slice(8)) as string);
    const environs = lines.filter((l) => l.startsWith("environ ")).map((l) => JSON.parse(l.slice(8)) as string);
    expect(cmdlines.length).toBeGreaterThan(10);
    expect([...cmdlines].some((c) => c.includes("restic"))).toBe(true);
    for (const secret of [PASSWORD_LOCAL, PASSWORD_OFFSITE]) {
      expect([...cmdlines].filter((c) => c.includes(secret))).toEqual([]);
      expect(log.text()).not.toContain(secret);
      expect(JSON.stringify(watch.events)).not.toContain(secret);
      expect(JSON.stringify(watch.alerts)).not.toContain(secret);
    }
    // The one given by variable goes through a pipe: not in restic's environment either.
    expect(environs.length).toBeGreaterThan(0);
    expect([...environs].filter((e) => e.includes(PASSWORD_OFFSITE))).toEqual([]);
    expect(existsSync(join(dir, "data", "it-backup.sqlite"))).toBe(true);
  });
});
