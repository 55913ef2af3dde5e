import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StorageReport } from "@lag/contracts";
import { freePort } from "@lag/launcher";
import { eventually } from "@lag/testing";

/**
 * The real start command's launcher, as `npm start` runs it: a nats-server, every agent process,
 * restarts, clean shutdown. Nothing in-process: these are child processes talking over NATS.
 */
const root = resolve(import.meta.dirname, "..");
let dir: string;
let port: number;
let configFile: string;

class Launcher {
  out = "";
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  constructor(env: NodeJS.ProcessEnv = {}) {
    this.child = spawn(process.execPath, ["--import", "tsx", "packages/launcher/src/main.ts"], {
      cwd: root,
      env: { ...process.env, LAG_CONFIG: configFile, NATS_URL: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout!.on("data", (b: Buffer) => (this.out += b.toString()));
    this.child.stderr!.on("data", (b: Buffer) => (this.out += b.toString()));
    this.exited = new Promise((r) => this.child.once("exit", (code) => r(code)));
  }
  waitFor(text: string | RegExp, timeoutMs = 60_000) {
    return eventually(
      () => (typeof text === "string" ? this.out.includes(text) : text.test(this.out)),
      timeoutMs,
      `output ${text}:\n${this.out.slice(-3000)}`,
    );
  }
  pidOf(name: string): number {
    const all = [...this.out.matchAll(new RegExp(`${name} running \\(pid (\\d+)\\)`, "g"))];
    return Number(all.at(-1)![1]);
  }
  async stop(): Promise<number | null> {
    this.child.kill("SIGTERM");
    return this.exited;
  }
}

function cli(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", "packages/cli/src/main.ts", ...args], {
    cwd: root,
    env: { ...process.env, NATS_URL: `nats://127.0.0.1:${port}`, LAG_CONFIG: configFile },
    encoding: "utf8",
    timeout: 30_000,
  });
}

/** Every process `npm start` runs (the example's only with launcher.examples). */
const PROCESSES = [
  "ceo",
  "it-incidents",
  "it-monitor",
  "it-backup",
  "it-mail",
  "it-subscriptions",
  "it-storage",
  "it-maintenance",
  "media",
  "dashboard",
];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lag-launcher-"));
  port = await freePort();
  configFile = join(dir, "lag.yaml");
  writeFileSync(
    configFile,
    `dataDir: ${join(dir, "data")}
launcher:
  nats: { embedded: true, port: ${port}, monitorPort: 0 }
  restart: { initialDelay: 200ms, maxDelay: 2s }
  stopGrace: 20s
  examples: true
example:
  hello: { cron: "* * * * * *" }
it:
  monitor: { host: e2e, interval: 1s, reportInterval: 2s, mounts: { system: / } }
media:
  storageCheckInterval: 2s
dashboard:
  listen: { port: 0 }
  metrics: { port: 0 }
`,
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("npm start (the launcher)", () => {
  it("brings the slice up: lag req lag.it.storage.query answers, CEO_LAG archives reports, MEDIA_LAG gets storage, the example worker greets", async () => {
    const l = new Launcher();
    try {
      await l.waitFor(
        "started ceo, it-monitor, it-incidents, it-backup, it-mail, it-subscriptions, it-storage, it-maintenance, media, dashboard, example-hello",
      );
      await l.waitFor(/ceo\s+INFO\s+IT event archived type=es.lagrieta.it.status.report.v1/);
      await l.waitFor(/media\s+INFO\s+storage: [1-9]\d* volumes/);
      const r = cli("req", "lag.it.storage.query", "{}");
      expect(r.status, r.stderr).toBe(0);
      const reply = StorageReport.parse(JSON.parse(r.stdout));
      expect(reply.volumes.find((v) => v.host === "e2e" && v.mount === "/")?.role).toBe("system");
      // Flow 4 with every process real: space reserved on the monitor's volume is out of free until released.
      const res = cli("storage", "reserve", dir, "1MB", "--purpose", "launcher test", "--json");
      expect(res.status, res.stderr).toBe(0);
      const held = (JSON.parse(res.stdout) as { granted: true; reservation: { id: string } }).reservation;
      const vol = (JSON.parse(cli("storage", dir, "--json").stdout) as { volumes: { reservedBytes: number }[] }).volumes[0]!;
      expect(vol.reservedBytes).toBe(1e6);
      expect(cli("storage", "release", held.id).status).toBe(0);
      await l.waitFor(/example-hello\s+INFO\s+greeted/);
      const hello = cli("req", "lag.example.hello.count", "{}");
      expect(hello.status, hello.stderr).toBe(0);
      expect((JSON.parse(hello.stdout) as { greetings: number }).greetings).toBeGreaterThan(0);
    } finally {
      expect(await l.stop()).toBe(0);
    }
    expect(l.out).toContain("stopped cleanly");
    for (const p of [...PROCESSES, "example-hello"]) {
      expect(l.out).toMatch(new RegExp(`${p}\\s+INFO\\s+${p} stopped`));
      expect(existsSync(join(dir, "data/logs", `${p}.log`))).toBe(true);
    }
    expect(existsSync(join(dir, "data/launcher.pid"))).toBe(false);
    expect(existsSync(join(dir, "data/nats-server.pid"))).toBe(false);
    const db = new Database(join(dir, "data/ceo.sqlite"), { readonly: true });
    const rows = db.prepare("select type, host from inbox").all() as { type: string; host: string }[];
    db.close();
    expect(rows.some((r) => r.type === "es.lagrieta.it.status.report.v1" && r.host === "e2e")).toBe(true);
  }, 120_000);

  it("starts again on the same data (streams, consumers, migrations already exist) and restarts a crashed process", async () => {
    const l = new Launcher();
    try {
      await l.waitFor(
        "started ceo, it-monitor, it-incidents, it-backup, it-mail, it-subscriptions, it-storage, it-maintenance, media, dashboard",
      );
      await l.waitFor(/it-monitor\s+INFO\s+it-monitor started/);
      expect(l.out).not.toMatch(/already exists|ERROR|FATAL/);
      const pid = l.pidOf("it-monitor");
      // Agents run compiled (packages/launcher/src/build.ts), without a TypeScript loader.
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      expect(cmdline).toContain(join(root, "dist/it-monitor.mjs"));
      expect(cmdline).not.toContain("tsx");
      process.kill(pid, "SIGKILL");
      await l.waitFor(/it-monitor exited \(SIGKILL\); restarting in 200 ms/);
      await eventually(() => l.pidOf("it-monitor") !== pid, 20_000);
      // The restarted monitor serves its host again (the storage query is it-storage's, which kept running).
      await eventually(() => cli("req", "lag.it.monitor.status.e2e", "{}").status === 0, 30_000, "the monitor answers after the restart");

      // The NATS server dies: it is started again, the agents reconnect, nothing else stops.
      const agents = PROCESSES.map((p) => [p, l.pidOf(p)] as const);
      const natsPid = Number(readFileSync(join(dir, "data/nats-server.pid"), "utf8"));
      process.kill(natsPid, "SIGKILL");
      await l.waitFor(/nats-server exited unexpectedly \(code null\); restarting in \d+ ms/);
      await l.waitFor(/nats-server restarted \(pid \d+\)/);
      await l.waitFor(/it-monitor\s+INFO\s+reconnected to NATS/);
      await eventually(() => cli("req", "lag.it.storage.query", "{}").status === 0, 30_000, "storage answers after NATS came back");
      for (const [p, pid] of agents) expect(l.pidOf(p), `${p} kept running`).toBe(pid);
      expect(Number(readFileSync(join(dir, "data/nats-server.pid"), "utf8"))).not.toBe(natsPid);
    } finally {
      expect(await l.stop()).toBe(0);
    }
  }, 150_000);

  it("refuses a configuration with mistakes, listing every bad key, and starts nothing that stays up", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      `dataDir: ${join(dir, "data-bad")}
launcher:
  nats: { embedded: true, port: ${port}, monitorPort: 0 }
it:
  monitor: { host: Bad Host, interval: soon, hots: x }
`,
    );
    const l = new Launcher({ LAG_CONFIG: bad });
    expect(await l.exited).toBe(78);
    expect(l.out).toContain("it.monitor.host");
    expect(l.out).toContain("it.monitor.interval");
    expect(l.out).toContain("hots");
  }, 120_000);
});
