import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bus } from "@lag/bus";
import { catalog, type Principal } from "@lag/contracts";
import { freePort, startNatsServer, type NatsServerProcess } from "@lag/launcher";
import { memoryLogger, type MemoryLogger } from "./logger.ts";

export interface TestNats {
  url: string;
  port: number;
  dir: string;
  server: NatsServerProcess;
  /** A typed bus client as the given principal, logging to memory; closed by stop(). */
  bus(principal?: Principal, opts?: { logger?: MemoryLogger; user?: string; password?: string; publishRetryMs?: number }): Promise<Bus>;
  /**
   * Creates every stream of the contracts as its owner would at start (agents that only read or
   * write a stream wait until it exists).
   */
  provisionStreams(): Promise<void>;
  /** Stops the server (SIGTERM) and removes its data. */
  stop(): Promise<void>;
  /** Stops and starts the server again on the same port and data (JetStream keeps its data). */
  restart(): Promise<void>;
  /** kill -9, as a crash or a power cut looks to clients; `start()` brings it back on the same port and data. */
  kill(): Promise<void>;
  start(): Promise<void>;
}

export interface TestNatsOptions {
  /** Extra config appended after the default (loopback, JetStream in a temp dir). */
  extraConfig?: string;
  /** Replaces the whole config; `$LAG_JS_DIR` is the JetStream dir. */
  config?: string;
  env?: Record<string, string>;
  /** Another nats-server executable (an old or a newer version). */
  binary?: string;
}

/** Starts a real nats-server with JetStream on a free loopback port, in its own temp dir. */
export async function startTestNats(opts: TestNatsOptions = {}): Promise<TestNats> {
  const dir = mkdtempSync(join(tmpdir(), "lag-nats-"));
  let port = await freePort();
  const jsDir = join(dir, "js");
  const config = opts.config ?? `host: 127.0.0.1\njetstream { store_dir: "${jsDir}" }\n${opts.extraConfig ?? ""}\n`;
  const env = { LAG_JS_DIR: jsDir, ...opts.env };
  const log: string[] = [];
  const start = () =>
    startNatsServer({ config, dir, port, env, onLog: (l) => log.push(l), ...(opts.binary ? { binary: opts.binary } : {}) });
  // A port found free can be taken by another test's process before nats-server binds it.
  let server: NatsServerProcess;
  for (let attempt = 1; ; attempt++) {
    try {
      server = await start();
      break;
    } catch (err) {
      if (
        attempt === 3 ||
        !new RegExp(`:${port}: bind: address already in use|port ${port} is already in use`).test((err as Error).message)
      )
        throw err;
      port = await freePort();
    }
  }
  const clients: Bus[] = [];
  const t: TestNats = {
    url: server.url,
    port,
    dir,
    get server() {
      return server;
    },
    async bus(principal = "cli", o = {}) {
      const b = await Bus.connect({
        principal,
        name: `test-${principal}`,
        nats: {
          servers: [server.url],
          ...(o.user ? { user: o.user, password: o.password ?? "" } : {}),
        },
        failFast: true,
        logger: (o.logger ?? memoryLogger(principal)).logger,
        ...(o.publishRetryMs !== undefined ? { publishRetryMs: o.publishRetryMs } : {}),
      });
      clients.push(b);
      return b;
    },
    async provisionStreams() {
      for (const owner of new Set(catalog.streams.map((st) => st.owner))) {
        const b = await t.bus(owner);
        await b.ensureStreams(catalog.streams.filter((st) => st.owner === owner));
      }
    },
    async restart() {
      await server.stop();
      server = await start();
    },
    async kill() {
      if (server.child.exitCode !== null || server.child.signalCode !== null) return;
      server.child.kill("SIGKILL");
      await server.exited;
    },
    async start() {
      server = await start();
    },
    async stop() {
      await Promise.allSettled(clients.map((c) => c.close()));
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}
