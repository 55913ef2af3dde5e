import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, connect as tcpConnect } from "node:net";
import { join } from "node:path";
import { findProgram, repoRoot } from "@lag/command";

export { repoRoot };

/** nats-server: LAG_NATS_SERVER, then .tools/bin (fetched by infra/setup), then PATH. */
export function natsServerBinary(): string {
  return findProgram("nats-server", "LAG_NATS_SERVER");
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => res(port));
    });
  });
}

/** Resolves when something on host:port greets like a NATS server (its INFO line). */
export async function waitForNats(port: number, timeoutMs = 15_000, host = "127.0.0.1"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((res) => {
      const s = tcpConnect({ port, host });
      const done = (v: boolean) => {
        s.destroy();
        res(v);
      };
      s.once("data", (b) => done(b.toString().startsWith("INFO")));
      s.once("error", () => done(false));
      s.setTimeout(1000, () => done(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nats-server did not answer on ${host}:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface NatsServerOptions {
  /** The nats-server executable; natsServerBinary() when absent. */
  binary?: string;
  /** Config file text; `$VAR` references are filled from `env`. */
  config: string;
  /** Where the config file and (unless the config says otherwise) JetStream data go. */
  dir: string;
  port: number;
  /** HTTP monitoring port (/healthz, /varz, /jsz), off when absent. */
  monitorPort?: number;
  env?: Record<string, string>;
  /** Own process group, so a Ctrl-C in the terminal reaches the launcher, not the server. */
  detached?: boolean;
  /** Receives the server's own log lines. */
  onLog?: (line: string) => void;
}

export interface NatsServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  configFile: string;
  /** SIGINT, then SIGKILL after a grace period. Resolves when the process has exited. */
  stop(): Promise<void>;
  readonly exited: Promise<number | null>;
}

/** True when something already accepts connections on the port. */
export async function portAnswers(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((res) => {
    const s = tcpConnect({ port, host });
    s.once("connect", () => {
      s.destroy();
      res(true);
    });
    s.once("error", () => res(false));
    s.setTimeout(1000, () => {
      s.destroy();
      res(false);
    });
  });
}

export async function startNatsServer(opts: NatsServerOptions): Promise<NatsServerProcess> {
  // Otherwise another server on the port would answer the readiness check in place of ours.
  if (await portAnswers(opts.port)) throw new Error(`port ${opts.port} is already in use by another process`);
  mkdirSync(opts.dir, { recursive: true });
  const configFile = join(opts.dir, "nats-server.conf");
  writeFileSync(configFile, opts.config);
  const args = ["-c", configFile, "-p", String(opts.port)];
  if (opts.monitorPort) args.push("-m", String(opts.monitorPort));
  const child = spawn(opts.binary ?? natsServerBinary(), args, {
    env: { ...process.env, ...opts.env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: opts.detached ?? false,
  });
  const exited = new Promise<number | null>((res) => child.once("exit", (code) => res(code)));
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding("utf8");
    let buf = "";
    stream?.on("data", (chunk: string) => {
      buf += chunk;
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i);
        tail.push(line);
        if (tail.length > 20) tail.shift();
        opts.onLog?.(line);
        buf = buf.slice(i + 1);
      }
    });
  }
  const failed = exited.then((code) => {
    throw new Error(`nats-server exited with code ${code} before it was ready (config ${configFile}):\n${tail.join("\n")}`);
  });
  await Promise.race([waitForNats(opts.port), failed]);
  failed.catch(() => undefined);
  return {
    url: `nats://127.0.0.1:${opts.port}`,
    port: opts.port,
    child,
    configFile,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // nats-server 2.10 exits 0 on SIGINT but 1 on SIGTERM; both shut it down cleanly.
      child.kill("SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
