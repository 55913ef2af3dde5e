import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { ConfigError, formatConfigError, loadConfig } from "@lag/config";
import { bundleProcesses } from "./build.ts";
import { launcherConfig } from "./config.ts";
import { credentialsEnv, withEnv } from "./credentials.ts";
import { formatLine } from "./log-format.ts";
import { natsServerBinary, repoRoot } from "./nats-server.ts";
import { SupervisedNats } from "./nats-supervisor.ts";
import { killAndWait, livePid, removePid, writePid } from "./pidfile.ts";
import { discoverProcesses } from "./processes.ts";
import { EXIT_CONFIG, Supervised } from "./supervisor.ts";

const color = process.stdout.isTTY === true;
const say = (msg: string) => process.stdout.write(`${color ? "\x1b[1m" : ""}lag${color ? "\x1b[0m" : ""}       ${msg}\n`);

/** LAG_CONFIG, else ./lag.yaml (the operator's), else the sample shipped in the repository. */
function configFile(): string {
  if (process.env.LAG_CONFIG) return resolve(process.env.LAG_CONFIG);
  const local = resolve("lag.yaml");
  return existsSync(local) ? local : join(repoRoot, "config/lag.sample.yaml");
}

async function main(): Promise<number> {
  const file = configFile();
  let common;
  try {
    ({ config: common } = loadConfig(launcherConfig.processSchema, { file }));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${formatConfigError(err)}\n`);
      return EXIT_CONFIG;
    }
    throw err;
  }
  const l = launcherConfig.pick(common);
  const dataDir = resolve(common.dataDir);
  const logsDir = join(dataDir, "logs");
  mkdirSync(logsDir, { recursive: true });

  const lock = join(dataDir, "launcher.pid");
  const other = livePid(lock, "launcher/src/main.ts");
  if (other && other !== process.pid) {
    process.stderr.write(`LAG is already running from ${dataDir} (launcher pid ${other}); stop it with Ctrl-C or \`kill ${other}\`\n`);
    return 1;
  }
  writePid(lock, process.pid);

  let nats: SupervisedNats | undefined;
  const natsPid = join(dataDir, "nats-server.pid");
  const env: NodeJS.ProcessEnv = { ...process.env, LAG_CONFIG: file, LAG_DATA_DIR: dataDir };
  if (l.nats.embedded) {
    const stale = livePid(natsPid, "nats-server");
    if (stale) {
      say(`stopping a nats-server left over by an earlier run (pid ${stale})`);
      await killAndWait(stale);
    }
    const natsLog = join(logsDir, "nats-server.log");
    const { createWriteStream } = await import("node:fs");
    const out = createWriteStream(natsLog, { flags: "a" });
    const config = readFileSync(join(repoRoot, "infra/nats/dev.conf"), "utf8");
    nats = await SupervisedNats.start({
      server: {
        config,
        dir: join(dataDir, "nats"),
        port: l.nats.port,
        ...(l.nats.monitorPort ? { monitorPort: l.nats.monitorPort } : {}),
        env: { LAG_JS_DIR: join(dataDir, "nats", "jetstream") },
        detached: true,
        onLog: (line) => out.write(`${line}\n`),
      },
      pidFile: natsPid,
      restart: { initialDelayMs: l.restart.initialDelay, maxDelayMs: l.restart.maxDelay, stableAfterMs: l.restart.stableAfter },
      onEvent: say,
    }).catch((err: Error) => {
      throw new Error(`${err.message}\nIs another NATS server using port ${l.nats.port}? Set launcher.nats.port in ${file}.`);
    });
    env.NATS_URL = nats.url;
    say(`nats-server ${nats.url} (${natsServerBinary()}) with JetStream in ${relative(process.cwd(), join(dataDir, "nats"))}`);
  }

  const procs = discoverProcesses(repoRoot, { examples: l.examples }).filter((p) => !l.disabled.includes(p.name));
  // Against an external, authenticated NATS each process logs in as its own user.
  let own: Map<string, NodeJS.ProcessEnv> | undefined;
  try {
    own = !l.nats.embedded && l.nats.credentials ? credentialsEnv(procs, l.nats.credentials) : undefined;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    removePid(lock);
    return EXIT_CONFIG;
  }
  if (own) say(`NATS      each process logs in with its own credentials from ${l.nats.credentials}`);
  // Compiled once per start (about a second for all); should it fail, tsx runs the sources.
  const bundles = await bundleProcesses(procs, join(repoRoot, "dist")).catch((err: Error) => {
    say(`could not compile the agents, running them through tsx instead: ${err.message}`);
    return new Map<string, string>();
  });
  const width = Math.max(10, ...procs.map((p) => p.name.length + 1));
  const supervised = procs.map(
    (p) =>
      new Supervised(p, {
        root: repoRoot,
        logsDir,
        env: withEnv(env, own?.get(p.name)),
        script: bundles.get(p.name),
        restart: { initialDelayMs: l.restart.initialDelay, maxDelayMs: l.restart.maxDelay, stableAfterMs: l.restart.stableAfter },
        onLine: (name, line) => process.stdout.write(`${formatLine(name, line, color, width)}\n`),
        onEvent: (name, event) => say(`${name} ${event}`),
      }),
  );
  for (const s of supervised) s.start();

  say(`started ${procs.map((p) => p.name).join(", ")}`);
  say(`config    ${relative(process.cwd(), file) || file}`);
  say(`data      ${dataDir}  (one SQLite file per process)`);
  say(`logs      ${logsDir}  (<process>.log, nats-server.log)`);
  if (nats && l.nats.monitorPort) say(`NATS      ${nats.url}, monitoring http://127.0.0.1:${l.nats.monitorPort}`);
  say(`try       pnpm lag status · pnpm lag services · pnpm lag tail · pnpm lag req lag.it.storage.query '{}'`);
  say("Ctrl-C stops everything cleanly");

  let stopping: Promise<number> | undefined;
  const shutdown = (code: number) => {
    stopping ??= (async () => {
      say("stopping: draining every process");
      const codes = await Promise.all(supervised.map((s) => s.stop(l.stopGrace)));
      if (nats) await nats.stop();
      removePid(natsPid);
      removePid(lock);
      const bad = supervised.filter((s, i) => codes[i] !== 0 && codes[i] !== EXIT_CONFIG && s.lastExit !== 0);
      say(bad.length === 0 ? "stopped cleanly" : `stopped; ${bad.map((s) => s.proc.name).join(", ")} did not exit 0`);
      return code;
    })();
    return stopping;
  };

  return new Promise<number>((res) => {
    let signals = 0;
    const onSignal = () => {
      if (++signals > 1) {
        say("second signal: killing everything now");
        for (const s of supervised) s.kill();
        nats?.kill();
        removePid(natsPid);
        removePid(lock);
        res(130);
        return;
      }
      void shutdown(0).then(res);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
    for (const s of supervised) {
      void s.exitedForGood.then((code) => {
        if (code === EXIT_CONFIG && !stopping) void shutdown(EXIT_CONFIG).then(res);
      });
    }
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`lag: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
