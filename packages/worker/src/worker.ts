import { join, resolve } from "node:path";
import type { z } from "zod";
import { AuthorizationError } from "@nats-io/nats-core";
import { Bus, UnsupportedServerError } from "@lag/bus";
import type { CommonConfig } from "@lag/config";
import { ConfigError, formatConfigError, loadConfig } from "@lag/config";
import type { Principal } from "@lag/contracts";
import { createLogger, type Logger } from "@lag/log";
import { openStore, type Store } from "@lag/store";
import { Timers } from "./timers.ts";

type Common = z.infer<typeof CommonConfig>;

export interface WorkerContext<C extends Common> {
  config: C;
  bus: Bus;
  log: Logger;
  /** Absolute data directory of this installation. */
  dataDir: string;
  timers: Timers;
  /** Opens (and migrates) this process's SQLite file under the data dir; closed at shutdown. */
  openStore<S extends Record<string, unknown>>(opts: { name: string; schema: S; migrationsFolder: string }): Store<S>;
  /** Aborted when the process is asked to stop. */
  signal: AbortSignal;
}

export interface WorkerHooks {
  /**
   * Called once timers, services, subscriptions and consumers have stopped (their in-flight work
   * finished) and before the bus drains: finish or abandon the worker's own work, flush state.
   */
  stop?(): Promise<void> | void;
}

export interface WorkerSpec<S extends z.ZodType<Common>> {
  /** Process name: log name, NATS connection name. */
  name: string;
  principal: Principal;
  config: S;
  start(ctx: WorkerContext<z.infer<S>>): Promise<WorkerHooks | void>;
}

export interface RunningWorker {
  /** Stops taking work, finishes in-flight work, drains NATS, closes stores. Idempotent. */
  shutdown(reason?: string): Promise<void>;
  readonly ctx: WorkerContext<Common>;
}

/**
 * The life of every LAG process, written once: load config (fail fast listing every error) →
 * logger → connect (reconnecting forever) → the worker's start → on stop: stop timers and the
 * worker, drain the bus, close SQLite.
 */
export async function startWorker<S extends z.ZodType<Common>>(
  spec: WorkerSpec<S>,
  opts: { env?: NodeJS.ProcessEnv; configFile?: string; logger?: Logger } = {},
): Promise<RunningWorker> {
  const { config } = loadConfig(spec.config, { env: opts.env ?? process.env, ...(opts.configFile ? { file: opts.configFile } : {}) });
  const log = opts.logger ?? createLogger({ name: spec.name, level: config.log.level });
  const dataDir = resolve(config.dataDir);
  const stores: Store<Record<string, unknown>>[] = [];
  const timers = new Timers(log);
  const abort = new AbortController();
  const bus = await Bus.connect({
    principal: spec.principal,
    name: spec.name,
    nats: config.nats,
    logger: log,
    streams: { replicas: config.jetstream.replicas },
  });
  const ctx: WorkerContext<z.infer<S>> = {
    config,
    bus,
    log,
    dataDir,
    timers,
    signal: abort.signal,
    openStore(o) {
      const store = openStore({ file: join(dataDir, `${o.name}.sqlite`), schema: o.schema, migrationsFolder: o.migrationsFolder, logger: log });
      stores.push(store as Store<Record<string, unknown>>);
      return store;
    },
  };
  let hooks: WorkerHooks | void;
  try {
    hooks = await spec.start(ctx);
  } catch (err) {
    await bus.close().catch(() => undefined);
    for (const s of stores) s.close();
    throw err;
  }
  log.info({ principal: spec.principal, dataDir }, `${spec.name} started`);
  let done: Promise<void> | undefined;
  return {
    ctx: ctx as unknown as WorkerContext<Common>,
    shutdown(reason = "shutdown") {
      done ??= (async () => {
        log.info({ reason }, `${spec.name} stopping`);
        abort.abort();
        await timers.stopAll();
        await bus.quiesce();
        if (hooks?.stop) await hooks.stop();
        await bus.drain();
        for (const s of stores) s.close();
        log.info(`${spec.name} stopped`);
      })();
      return done;
    },
  };
}

/**
 * Entry point of a worker process: starts it, and on SIGINT/SIGTERM shuts it down and exits 0.
 * A configuration error prints every problem and exits 78 (EX_CONFIG) so the launcher does not
 * restart a process that cannot work.
 */
export async function runWorker<S extends z.ZodType<Common>>(spec: WorkerSpec<S>): Promise<void> {
  let running: RunningWorker;
  try {
    running = await startWorker(spec);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${spec.name}: ${formatConfigError(err)}\n`);
      process.exit(EXIT_CONFIG);
    }
    // Wrong credentials cannot heal by restarting: exit as a configuration error, so the launcher
    // (and systemd's RestartPreventExitStatus=78) do not restart it in a loop.
    if (err instanceof AuthorizationError || err instanceof UnsupportedServerError) {
      createLogger({ name: spec.name }).fatal({ err }, `${spec.name} cannot use NATS: ${(err as Error).message}`);
      process.exit(EXIT_CONFIG);
    }
    const log = createLogger({ name: spec.name });
    log.fatal({ err }, `${spec.name} could not start`);
    process.exit(1);
  }
  const stop = (signal: string) => {
    running.shutdown(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        running.ctx.log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  // Signals may arrive twice (Ctrl-C in the terminal, then the launcher's SIGTERM): shutdown is idempotent.
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  // A stray rejection is a bug to log, not a reason to drop everything in flight.
  process.on("unhandledRejection", (err) => running.ctx.log.error({ err }, "unhandled promise rejection"));
}

export const EXIT_CONFIG = 78;
