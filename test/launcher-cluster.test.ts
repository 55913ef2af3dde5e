/**
 * `npm start` with the embedded NATS off, against the generated, authenticated three-node cluster:
 * every process logs in as its own user (a folder of password files), so the production
 * permissions hold for each and the whole slice works.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StorageReport } from "@lag/contracts";
import { eventually, startTestCluster, type TestCluster } from "@lag/testing";

const root = resolve(import.meta.dirname, "..");
let cluster: TestCluster;
let dir: string;

beforeAll(async () => {
  cluster = await startTestCluster();
  dir = mkdtempSync(join(tmpdir(), "lag-launcher-cluster-"));
  const secrets = join(dir, "secrets");
  mkdirSync(secrets, { mode: 0o700 });
  for (const user of [
    "it-monitor",
    "it-incidents",
    "it-backup",
    "it-mail",
    "it-subscriptions",
    "it-storage",
    "it-maintenance",
    "ceo",
    "media",
    "dashboard",
    "cli",
  ])
    writeFileSync(join(secrets, user), cluster.passwords[user]!, { mode: 0o600 });
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("npm start against an external, authenticated cluster", () => {
  it("starts every agent as its own NATS user: the monitor serves, CEO_LAG archives, MEDIA_LAG gets storage", async () => {
    const config = join(dir, "lag.yaml");
    writeFileSync(
      config,
      `dataDir: ${join(dir, "data")}
nats:
  servers: [${cluster.urls.join(", ")}]
jetstream: { replicas: 3 }
launcher:
  nats: { embedded: false, credentials: ${join(dir, "secrets")} }
  stopGrace: 20s
it:
  monitor: { host: clustered, interval: 1s, reportInterval: 2s, docker: { enabled: false }, mounts: { system: / } }
media:
  storageCheckInterval: 2s
dashboard:
  listen: { port: 0 }
  metrics: { port: 0 }
`,
    );
    let out = "";
    const child = spawn(process.execPath, ["--import", "tsx", "packages/launcher/src/main.ts"], {
      cwd: root,
      // Whatever identity the caller's shell has must not leak into the agents.
      env: { ...process.env, LAG_CONFIG: config, NATS_URL: "", NATS_USER: "media", NATS_PASSWORD: "wrong" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
    child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    const waitFor = (re: RegExp, ms = 90_000) => eventually(() => re.test(out), ms, `output ${re}:\n${out.slice(-3000)}`);
    try {
      await waitFor(/each process logs in with its own credentials/);
      await waitFor(/ceo\s+INFO\s+IT event archived type=es.lagrieta.it.status.report.v1/);
      await waitFor(/media\s+INFO\s+storage: [1-9]\d* volumes/);
      const r = spawnSync(process.execPath, ["--import", "tsx", "packages/cli/src/main.ts", "req", "lag.it.storage.query", "{}"], {
        cwd: root,
        env: {
          ...process.env,
          LAG_CONFIG: config,
          NATS_URL: cluster.urls.join(","),
          NATS_USER: "cli",
          NATS_PASSWORD: cluster.passwords.cli!,
        },
        encoding: "utf8",
        timeout: 30_000,
      });
      expect(r.status, r.stderr).toBe(0);
      expect(StorageReport.parse(JSON.parse(r.stdout)).volumes.some((v) => v.host === "clustered")).toBe(true);
      expect(out).not.toMatch(/Authorization Violation|permission denied/);
    } finally {
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    }
  }, 180_000);

  it("refuses to start when a process has no credentials in the folder, naming it", async () => {
    const config = join(dir, "missing.yaml");
    const empty = join(dir, "empty");
    mkdirSync(empty);
    writeFileSync(
      config,
      `dataDir: ${join(dir, "data2")}\nnats: { servers: [${cluster.urls[0]}] }\nlauncher:\n  nats: { embedded: false, credentials: ${empty} }\n`,
    );
    const r = spawnSync(process.execPath, ["--import", "tsx", "packages/launcher/src/main.ts"], {
      cwd: root,
      env: { ...process.env, LAG_CONFIG: config, NATS_URL: "" },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(r.status).toBe(78);
    expect(r.stderr).toContain(
      `no NATS credentials in ${empty} for ceo, it-monitor, it-incidents, it-backup, it-mail, it-subscriptions, it-storage, it-maintenance, media, dashboard`,
    );
  }, 90_000);
});
