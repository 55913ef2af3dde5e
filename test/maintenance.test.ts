import { mkdirSync, mkdtempSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus } from "@lag/bus";
import { ceoWorker } from "@lag/ceo-lag";
import {
  approvalRequests,
  imageUpdate,
  maintenanceAlert,
  maintenanceResult,
  maintenanceService,
  type Alert,
  type ApprovalRequest,
  type ImageCheck,
  type MaintenanceResult,
} from "@lag/contracts";
import { maintenanceWorker } from "@lag/it-lag";
import {
  dockerCli,
  ensureBusyboxImage,
  eventually,
  memoryLogger,
  removeContainers,
  runContainer,
  startRegistry,
  startTestNats,
  testContainerPrefix,
  type TestNats,
  type TestRegistry,
} from "@lag/testing";
import { startWorker, type RunningWorker } from "@lag/worker";
import { cleanEnv, jsonOf, lag } from "../packages/cli/test/run-lag.fixture.ts";

/**
 * The maintenance worker with real parts: Debian's docker-registry with token authentication
 * (images pushed by the real daemon, a tag moved, a manifest list put by hand), real containers
 * and their json logs, CEO_LAG for the truncation's approval, real SQLite files, an auth.log and
 * an apt simulation in the shapes those programs print.
 */
const prefix = testContainerPrefix("maint");
const DAY = 86_400_000;
let nats: TestNats;
let registry: TestRegistry;
let dir: string;
let dockerConfig: string;
let cli: Bus;
const workers: RunningWorker[] = [];
const results: MaintenanceResult[] = [];
const updates: (ImageCheck & { reminder: boolean })[] = [];
const alerts: Alert[] = [];
const requests: ApprovalRequest[] = [];

const env = () => cleanEnv({ NATS_URL: nats.url, LAG_USER: "ana" });
const run = async <T extends MaintenanceResult["task"]>(task: T) =>
  (await cli.request(maintenanceService.endpoints.run, { task })) as Extract<MaintenanceResult, { task: T }>;
const docker = (args: string[]) => dockerCli(["--config", dockerConfig, ...args]);
const firing = (rule: string, container?: string) =>
  alerts.filter((a) => a.rule === rule && (container === undefined || a.labels.container === container)).at(-1)?.status === "firing";

/** Two images with different digests: the test image, and it with one more label. */
async function images(base: string): Promise<{ a: string; b: string }> {
  const holder = `${prefix}holder`;
  await runContainer(["--name", holder, base, "sleep", "600"]);
  await dockerCli(["commit", "--change", "LABEL es.lagrieta.testing.variant=b", holder, "lag/maint-b:test"]);
  await dockerCli(["rm", "-f", holder]);
  return { a: base, b: "lag/maint-b:test" };
}

async function push(image: string, ref: string): Promise<string> {
  await dockerCli(["tag", image, ref]);
  const out = await docker(["push", ref]);
  return out.stdout.match(/digest: (sha256:[0-9a-f]{64})/)![1]!;
}

function write(path: string, content: string | Buffer, ageMs = 0): void {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
  if (ageMs > 0) {
    const t = (Date.now() - ageMs) / 1000;
    utimesSync(path, t, t);
  }
}

const APT = `NOTE: This is only a simulation!
Reading package lists...
Building dependency tree...
Calculating upgrade...
The following packages will be upgraded:
  libssl3 openssl tzdata
3 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.
Inst libssl3 [3.0.15-1~deb12u1] (3.0.17-1~deb12u2 Debian-Security:12/stable-security [amd64])
Inst openssl [3.0.15-1~deb12u1] (3.0.17-1~deb12u2 Debian:12.11/stable, Debian-Security:12/stable-security [amd64])
Inst tzdata [2024b-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable [all])
Conf libssl3 (3.0.17-1~deb12u2 Debian-Security:12/stable-security [amd64])
Conf openssl (3.0.17-1~deb12u2 Debian:12.11/stable, Debian-Security:12/stable-security [amd64])
Conf tzdata (2025b-0+deb12u1 Debian:12.11/stable [all])
`;

function authLog(): string {
  const at = (msAgo: number) => new Date(Date.now() - msAgo).toISOString().replace("Z", "+00:00");
  const lines: string[] = [];
  const users = ["root", "admin", "root", "oracle", "root", "test"];
  users.forEach((u, i) =>
    lines.push(
      `${at((i + 1) * 60_000)} kronos sshd[${1000 + i}]: Failed password for ${u === "root" ? "" : "invalid user "}${u} from 203.0.113.7 port ${40000 + i} ssh2`,
    ),
  );
  lines.push(`${at(3 * 3_600_000)} kronos sshd[2001]: Failed publickey for ana from 198.51.100.4 port 50000 ssh2`);
  lines.push(`${at(4 * 3_600_000)} kronos sshd[2002]: Failed password for ana from 198.51.100.4 port 50001 ssh2`);
  lines.push(`${at(30 * 3_600_000)} kronos sshd[2003]: Failed password for root from 192.0.2.99 port 50002 ssh2`);
  lines.push(`${at(5 * 60_000)} kronos sshd[2004]: Accepted publickey for ana from 198.51.100.4 port 50003 ssh2: ED25519 SHA256:abc`);
  lines.push(`${at(6 * 60_000)} kronos CRON[2005]: pam_unix(cron:session): session opened for user root(uid=0)`);
  return `${lines.join("\n")}\n`;
}

let digests: { a: string; b: string; list: string };
let arch: string;

beforeAll(async () => {
  const base = await ensureBusyboxImage();
  nats = await startTestNats();
  await nats.provisionStreams();
  registry = await startRegistry();
  dir = mkdtempSync(join(tmpdir(), "lag-maint-"));
  dockerConfig = join(dir, "docker");
  mkdirSync(dockerConfig);
  const port = registry.host.split(":")[1]!;
  await dockerCli(["--config", dockerConfig, "login", registry.host, "-u", registry.user, "--password-stdin"], {
    input: Readable.from([`${registry.password}\n`]),
  });
  await dockerCli(["--config", dockerConfig, "login", `localhost:${port}`, "-u", registry.user, "--password-stdin"], {
    input: Readable.from([`${registry.password}\n`]),
  });
  arch = (await dockerCli(["version", "--format", "{{.Server.Arch}}"])).stdout.trim();
  const img = await images(base);
  const r = registry.host;
  const a = await push(img.a, `${r}/lag/app:1.0`);
  await push(img.a, `${r}/lag/app:1.1`);
  await push(img.a, `${r}/lag/app:2.0`);
  await push(img.a, `${r}/lag/app:2.1-rc1`);
  const b = await push(img.b, `${r}/lag/app:b`);
  await push(img.a, `${r}/lag/web:1.0`);
  // A manifest list as multi-platform images are published: this host's platform → image a, another → b.
  const other = arch === "arm64" ? "amd64" : "arm64";
  const size = async (d: string) =>
    Number(
      (await fetch(`http://${r}/v2/lag/app/manifests/${d}`, { method: "HEAD" }).then(async (x) =>
        x.status === 401 ? undefined : x.headers.get("content-length"),
      )) ?? 527,
    );
  const list = JSON.stringify({
    schemaVersion: 2,
    mediaType: "application/vnd.docker.distribution.manifest.list.v2+json",
    manifests: [
      {
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        digest: a,
        size: await size(a),
        platform: { architecture: arch, os: "linux" },
      },
      {
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        digest: b,
        size: await size(b),
        platform: { architecture: other, os: "linux" },
      },
    ],
  });
  const listDigest = await registry.putManifest("lag/app", "multi", "application/vnd.docker.distribution.manifest.list.v2+json", list);
  digests = { a, b, list: listDigest };
  await docker(["pull", `${r}/lag/app:multi`]);
  await docker(["pull", `localhost:${port}/lag/app:1.0`]);

  await runContainer(["--name", `${prefix}current`, `${r}/lag/app:1.0`, "sleep", "600"]);
  await runContainer(["--name", `${prefix}moved`, `${r}/lag/web:1.0`, "sleep", "600"]);
  await runContainer(["--name", `${prefix}semver`, "--label", "lag.maintenance.semver=true", `${r}/lag/app:1.0`, "sleep", "600"]);
  await runContainer(["--name", `${prefix}multi`, `${r}/lag/app:multi`, "sleep", "600"]);
  await runContainer(["--name", `${prefix}local`, base, "sleep", "600"]);
  await runContainer(["--name", `${prefix}wrongpw`, `localhost:${port}/lag/app:1.0`, "sleep", "600"]);
  // The tag is moved after the container was created: the registry now has another image for web:1.0.
  await push(img.b, `${r}/lag/web:1.0`);
  await runContainer([
    "--name",
    `${prefix}chatty`,
    base,
    "sh",
    "-c",
    'i=0; while [ $i -lt 600 ]; do echo "line $i of a chatty service that logs far too much"; i=$((i+1)); done; exec sleep 600',
  ]);

  writeFileSync(join(dir, "pw"), `${registry.password}\n`);
  writeFileSync(join(dir, "wrongpw"), "not-it\n");
  write(join(dir, "apt.sh"), `cat <<'EOF'\n${APT}EOF\n`);
  write(join(dir, "reboot-required"), "*** System restart required ***\n", 2 * DAY);
  write(join(dir, "reboot-required.pkgs"), "linux-image-6.1.0-28-amd64\nlibc6\nlinux-image-6.1.0-28-amd64\n");
  write(join(dir, "auth.log"), authLog());
  // LAG's own logs: one not written for 10 days, one being written and over the folder's size limit.
  write(join(dir, "data", "logs", "it-old.log"), "x".repeat(1000), 10 * DAY);
  write(join(dir, "data", "logs", "it-busy.log"), "y".repeat(8000));
  write(join(dir, "applogs", "a.log"), "a".repeat(300), 4 * DAY);
  write(join(dir, "applogs", "b.log"), "b".repeat(200));
  write(join(dir, "applogs", "notes.txt"), "keep me", 30 * DAY);
  // A database with most of its pages free: VACUUM is due.
  const bloat = new Database(join(dir, "data", "bloat.sqlite"));
  bloat.pragma("journal_mode = WAL");
  bloat.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)");
  const ins = bloat.prepare("INSERT INTO t (body) VALUES (?)");
  bloat.transaction(() => {
    for (let i = 0; i < 4000; i++) ins.run("z".repeat(1000));
  })();
  bloat.exec("DELETE FROM t WHERE id > 100");
  bloat.close();

  const config = join(dir, "lag.yaml");
  writeFileSync(
    config,
    `dataDir: ${dir}/data
it:
  monitor: { host: mainttest }
  maintenance:
    images:
      run: { enabled: false }
      remindEvery: 1500ms
      alertAfter: 3s
      registries:
        "${r}": { username: ${registry.user}, password: { file: ${dir}/pw } }
        "localhost:${port}": { username: ${registry.user}, password: { file: ${dir}/wrongpw } }
    logs:
      run: { enabled: false }
      lag: { maxAge: 7d, maxBytes: 5000 }
      paths: [{ path: ${dir}/applogs, match: "*.log", maxAge: 3d }]
    dockerLogs: { run: { enabled: false }, warnAt: 20KB }
    sqlite: { run: { enabled: false }, vacuumAtFreePct: 20 }
    os: { run: { enabled: false }, command: [sh, ${dir}/apt.sh], rebootRequiredFile: ${dir}/reboot-required, rebootAlertAfter: 1d }
    logins: { run: { enabled: false }, source: file, file: ${dir}/auth.log, alertAt: 5 }
ceo: {}
`,
  );
  cli = await nats.bus("cli");
  cli.subscribe(maintenanceResult, (d) => void results.push(d.data));
  cli.subscribe(imageUpdate, (d) => void updates.push(d.data));
  cli.subscribe(maintenanceAlert, (d) => void alerts.push(d.data));
  cli.subscribe(approvalRequests["it-maintenance"], (d) => void requests.push(d.data));
  await cli.nc.flush();
  const wenv = { LAG_CONFIG: config, NATS_URL: nats.url };
  workers.push(await startWorker(maintenanceWorker, { env: wenv, logger: memoryLogger("it-maintenance").logger }));
  workers.push(await startWorker(ceoWorker, { env: wenv, logger: memoryLogger("ceo").logger }));
}, 180_000);

afterAll(async () => {
  for (const w of workers) await w.shutdown("test").catch(() => undefined);
  await cli?.close();
  await removeContainers(prefix);
  await registry?.stop();
  await nats?.stop();
});

describe("image updates against a real registry with token auth", () => {
  it("compares each running container's image with the registry's digest for its tag", async () => {
    const r = await run("image-updates");
    expect(r.error).toBeUndefined();
    const by = (name: string) => r.containers.find((c) => c.container === `${prefix}${name}`)!;
    expect(by("current")).toMatchObject({ state: "current", tag: "1.0", repository: "lag/app", remoteDigest: digests.a });
    expect(by("current").localDigests).toContain(digests.a);
    expect(by("moved")).toMatchObject({ state: "update", remoteDigest: digests.b, tag: "1.0" });
    expect(by("moved").localDigests).toContain(digests.a);
    expect(by("moved").localDigests).not.toContain(digests.b);
    expect(by("moved").pendingSince).toBeDefined();
    // A manifest list: the host's platform picked, its manifest is what the container runs.
    expect(by("multi")).toMatchObject({
      state: "current",
      remoteDigest: digests.list,
      platform: `linux/${arch}`,
      platformDigest: digests.a,
    });
    // Newer semver tags (a pre-release is not one), asked for by the container's label.
    expect(by("semver")).toMatchObject({ state: "current", newerTags: ["2.0", "1.1"] });
    expect(by("current").newerTags).toBeUndefined();
    expect(by("local")).toMatchObject({ state: "unknown", note: expect.stringMatching(/built or imported on this host/) });
    expect(by("wrongpw")).toMatchObject({
      state: "error",
      note: expect.stringMatching(/token service of localhost:\d+ refused the configured credentials \(401\)/),
    });
    expect(r.pending).toBe(2);
    // The worker asked the token service with the configured credentials, for pull only.
    expect(registry.tokenRequests.some((t) => t.authorized && t.scope === "repository:lag/web:pull")).toBe(true);
    await eventually(() => updates.some((u) => u.container === `${prefix}moved`));
    expect(updates.filter((u) => u.container === `${prefix}moved`)).toEqual([
      expect.objectContaining({ reminder: false, remoteDigest: digests.b }),
    ]);
  });

  it("keeps 'pending since', reminds while it stays, alerts when it stays too long, and clears once the container runs the new image", async () => {
    const first = (await run("image-updates")).containers.find((c) => c.container === `${prefix}moved`)!;
    const since = first.pendingSince;
    expect(updates.filter((u) => u.container === `${prefix}moved`)).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1600));
    const again = (await run("image-updates")).containers.find((c) => c.container === `${prefix}moved`)!;
    expect(again.pendingSince).toBe(since);
    await eventually(() => updates.filter((u) => u.container === `${prefix}moved`).length === 2);
    expect(updates.filter((u) => u.container === `${prefix}moved`).at(-1)).toMatchObject({ reminder: true, pendingSince: since });
    await new Promise((r) => setTimeout(r, 1600));
    await run("image-updates");
    await eventually(() => firing("image-update-pending", `${prefix}moved`));
    expect(alerts.find((a) => a.rule === "image-update-pending" && a.labels.container === `${prefix}moved`)).toMatchObject({
      severity: "low",
    });

    await docker(["pull", `${registry.host}/lag/web:1.0`]);
    await dockerCli(["rm", "-f", `${prefix}moved`]);
    await runContainer(["--name", `${prefix}moved`, `${registry.host}/lag/web:1.0`, "sleep", "600"]);
    const now = (await run("image-updates")).containers.find((c) => c.container === `${prefix}moved`)!;
    expect(now).toMatchObject({ state: "current", remoteDigest: digests.b });
    expect(now.pendingSince).toBeUndefined();
    await eventually(() => !firing("image-update-pending", `${prefix}moved`));
  });
});

describe("Docker json logs", () => {
  it("reports each container's log size, alerts past warnAt, and truncates only once approved", async () => {
    const r = await eventually(async () => {
      const x = await run("docker-logs");
      return x.over.includes(`${prefix}chatty`) ? x : undefined;
    }, 20_000);
    await eventually(() => results.some((x) => x.task === "docker-logs"));
    const chatty = r.containers.find((c) => c.container === `${prefix}chatty`)!;
    expect(chatty.bytes).toBeGreaterThan(20_000);
    expect(statSync(chatty.logPath).size).toBe(chatty.bytes);
    await eventually(() => firing("docker-log-size", `${prefix}chatty`));

    const asked = await lag(["maintenance", "truncate", `${prefix}chatty`, "--json"], env());
    expect(asked.code, asked.stderr).toBe(0);
    const { requestId } = jsonOf<{ requestId: string }>(asked);
    const req = await eventually(() => requests.find((x) => x.id === requestId));
    expect(req.action).toMatchObject({ kind: "truncate-docker-log", params: { container: `${prefix}chatty` } });
    // Nothing happens before a decision: CEO_LAG's default asks a person.
    await new Promise((r) => setTimeout(r, 500));
    expect(statSync(chatty.logPath).size).toBeGreaterThan(20_000);
    const ok = await lag(["approvals", "approve", requestId, "--note", "old noise"], env());
    expect(ok.code, ok.stderr).toBe(0);
    await eventually(() => statSync(chatty.logPath).size < 1_000, 15_000);
    await eventually(() => !firing("docker-log-size", `${prefix}chatty`));
    // `lag trace` follows the request to the alert its truncation resolved.
    const traced = jsonOf<{ type: string; correlationid?: string; data: { status?: string } }[]>(
      await lag(["trace", requestId, "--json"], env()),
    );
    expect(traced.map((e) => (e.type.endsWith("alert.v1") ? `alert ${e.data.status}` : e.type))).toEqual([
      "es.lagrieta.it.approval.requested.v1",
      "es.lagrieta.ceo.approval.asked.v1",
      "es.lagrieta.ceo.approval.decided.v1",
      "alert resolved",
    ]);
    expect(traced.every((e) => e.correlationid === requestId)).toBe(true);
  });
});

describe("log clean-up", () => {
  it("removes old logs by age, empties the one being written when the folder is over its size, leaves what does not match", async () => {
    const r = await run("log-cleanup");
    const lagLogs = r.paths.find((p) => p.path === join(dir, "data", "logs"))!;
    const app = r.paths.find((p) => p.path === join(dir, "applogs"))!;
    expect(lagLogs).toMatchObject({ removed: 2, bytesFreed: 9000, errors: [] });
    expect(statSync(join(dir, "data", "logs", "it-busy.log")).size).toBe(0);
    expect(() => statSync(join(dir, "data", "logs", "it-old.log"))).toThrow();
    expect(app).toMatchObject({ removed: 1, bytesFreed: 300, kept: 1, keptBytes: 200 });
    expect(statSync(join(dir, "applogs", "notes.txt")).size).toBe(7);
    expect(r).toMatchObject({ removed: 3, bytesFreed: 9300 });
  });
});

describe("SQLite optimisation", () => {
  it("optimises and checkpoints every LAG database, vacuums the one with many free pages, with figures before and after", async () => {
    const r = await run("sqlite");
    const bloat = r.databases.find((d) => d.file.endsWith("bloat.sqlite"))!;
    expect(bloat).toMatchObject({ optimized: true, checkpointed: true, vacuumed: true, walBytesAfter: 0 });
    expect(bloat.freePagesBefore).toBeGreaterThan(bloat.pages / 2);
    expect(bloat.freePagesAfter).toBe(0);
    expect(bloat.bytesAfter).toBeLessThan(bloat.bytesBefore / 4);
    const own = r.databases.find((d) => d.file.endsWith("it-maintenance.sqlite"))!;
    expect(own).toMatchObject({ optimized: true, vacuumed: false });
    expect(own.error).toBeUndefined();
    expect(r.bytesAfter).toBeLessThan(r.bytesBefore);
  });
});

describe("OS updates and failed logins", () => {
  it("counts pending updates with security ones apart, and a reboot required for days, as results and alerts", async () => {
    const r = await run("os-updates");
    expect(r).toMatchObject({ pending: 3, security: 2, rebootRequired: true, rebootPackages: ["linux-image-6.1.0-28-amd64", "libc6"] });
    expect(r.packages.map((p) => `${p.name}${p.security ? "!" : ""}`)).toEqual(["libssl3!", "openssl!", "tzdata"]);
    expect(r.packages[2]).toEqual({
      name: "tzdata",
      from: "2024b-0+deb12u1",
      to: "2025b-0+deb12u1",
      origin: "Debian:12.11/stable",
      security: false,
    });
    await eventually(() => firing("security-updates") && firing("reboot-required"));
    expect(alerts.find((a) => a.rule === "reboot-required")?.summary).toMatch(
      /needed a reboot for 2 days \(for linux-image-6\.1\.0-28-amd64, libc6\)/,
    );
  });

  it("counts failed SSH logins per source address over 24 h and alerts past the threshold", async () => {
    const r = await run("failed-logins");
    expect(r).toMatchObject({ source: join(dir, "auth.log"), windowHours: 24, total: 8, addresses: 2 });
    expect(r.top[0]).toMatchObject({ address: "203.0.113.7", count: 6, users: ["admin", "oracle", "root", "test"] });
    expect(r.top[1]).toMatchObject({ address: "198.51.100.4", count: 2, users: ["ana"] });
    await eventually(() => firing("failed-logins"));
    expect(alerts.find((a) => a.rule === "failed-logins")).toMatchObject({ severity: "medium", value: 8, threshold: 5 });
  });
});

describe("lag maintenance", () => {
  it("lists every task with its schedule and last result, shows one, refuses an unknown task", async () => {
    const r = await lag(["maintenance"], env());
    expect(r.stdout).toMatch(/failed-logins\s+off\s+\S+ ago\s+8 failed SSH logins in 24 h from 2 addresses \(most: 203\.0\.113\.7, 6\)/);
    expect(r.stdout).toMatch(/os-updates\s+off\s+\S+ ago\s+3 updates pending \(2 security\), reboot required/);
    const show = await lag(["maintenance", "show", "failed-logins"], env());
    expect(show.stdout).toMatch(/203\.0\.113\.7\s+6\s+admin, oracle, root, test/);
    const status = jsonOf<{ tasks: { task: string; lastRun?: unknown }[] }>(await lag(["maintenance", "--json"], env()));
    expect(status.tasks.map((t) => t.task)).toEqual([
      "image-updates",
      "log-cleanup",
      "docker-logs",
      "sqlite",
      "os-updates",
      "failed-logins",
    ]);
    expect(status.tasks.every((t) => t.lastRun)).toBe(true);
    const bad = await lag(["maintenance", "run", "defrag"], env());
    expect(bad.code).toBe(64);
    expect(bad.stderr).toMatch(/TASK must be one of image-updates, log-cleanup/);
  });
});
