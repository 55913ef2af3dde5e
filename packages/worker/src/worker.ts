import { join, resolve } from "node:path";
import { AuthorizationError } from "@nats-io/nats-core";
import { Scheduler, systemClock, type Clock } from "@lag/async";
import { Bus, UnsupportedServerError } from "@lag/bus";
import { ConfigError, formatConfigError, loadConfig } from "@lag/config";
import type { StreamDescriptor } from "@lag/contracts";
import { createLogger, type Logger } from "@lag/log";
import type { Store } from "@lag/store";
import type { Binding, Common, Tables, WorkerContext, WorkerDeclaration } from "./declaration.ts";
import { Outbox, outboxFile } from "./outbox.ts";
import { StoreOpener } from "./store-opener.ts";
import { serviceReady, StartAbortedError, streamsReady, waitUntilReady } from "./readiness.ts";

export interface RunningWorker<T = unknown, D extends Tables = Tables> {
  /** Stops taking work, finishes in-flight work, drains NATS, closes the store. Idempotent. */
  shutdown(reason?: string): Promise<void>;
  readonly ctx: WorkerContext<T, D>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  configFile?: string;
  logger?: Logger;
  /** The time schedules and waits run on; the system's by default. */
  clock?: Clock;
  /** Aborting it while the worker starts (waiting for a stream or a service) gives up cleanly. */
  signal?: AbortSignal;
}

/** Streams to wait for or create before setup: the declared ones and those its consumers read. */
function streamsOf<T, S, D extends Tables>(d: WorkerDeclaration<T, S, D>, bus: Bus): StreamDescriptor[] {
  const out = new Map<string, StreamDescriptor>();
  for (const s of bus.streamsUsed()) out.set(s.name, s);
  for (const s of d.streams ?? []) out.set(s.name, s);
  return [...out.values()];
}

/**
 * The life of every LAG process, written once (see WorkerDeclaration for the order of things).
 * Throws ConfigError on a bad configuration, StartAbortedError when stopped while starting.
 */
export async function startWorker<T, S, D extends Tables>(
  decl: WorkerDeclaration<T, S, D>,
  opts: StartOptions = {},
): Promise<RunningWorker<T, D>> {
  const { config: common } = loadConfig(decl.config.processSchema, {
    env: opts.env ?? process.env,
    ...(opts.configFile ? { file: opts.configFile } : {}),
  });
  const config = decl.config.pick(common);
  const log = opts.logger ?? createLogger({ name: decl.name, level: common.log.level });
  const clock = opts.clock ?? systemClock;
  const dataDir = resolve(common.dataDir);
  const abort = new AbortController();
  const onOuterAbort = () => abort.abort();
  opts.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const scheduler = new Scheduler(log, clock);
  const bus = await Bus.connect({
    principal: decl.principal,
    name: decl.name,
    nats: common.nats,
    logger: log,
    streams: { replicas: common.jetstream.replicas },
  });
  const opener = decl.store
    ? new StoreOpener<D>({
        file: join(dataDir, `${decl.store.file?.(config) ?? decl.name}.sqlite`),
        schema: decl.store.schema,
        migrationsFolder: decl.store.migrationsFolder,
        owner: decl.name,
        log,
        degradable: decl.store.degradable ?? false,
      })
    : undefined;
  const ready = { log, signal: abort.signal, clock };
  const saved = outboxFile(join(dataDir, `${decl.name}.outbox.jsonl`), log);
  const outbox = new Outbox({ bus, log, items: saved.items, persist: saved.persist });
  const ctx: WorkerContext<T, D> = {
    config,
    common: common as Common,
    bus,
    log,
    dataDir,
    get store(): Store<D> {
      const store = opener?.current;
      if (store) return store;
      if (!opener) throw new Error(`${decl.name} declares no store`);
      throw new StoreUnavailableError(opener.file, opener.problem);
    },
    tryStore: () => opener?.open(),
    outbox,
    storeProblem: () => opener?.problem,
    scheduler,
    clock,
    signal: abort.signal,
  };
  let state: S;
  const attached: Binding[] = [];
  try {
    await waitUntilReady("its streams", streamsReady(bus, streamsOf(decl, bus)), ready);
    for (const service of decl.dependsOn ?? []) await waitUntilReady(`service ${service.name}`, serviceReady(bus, service), ready);
    opener?.open();
    state = await decl.setup(ctx);
    for (const b of decl.bindings?.(state, ctx) ?? []) {
      await attach(b, ctx);
      attached.push(b);
    }
    // Whatever the last run left unsent goes first, then every 2 s while anything waits.
    scheduler.add("outbox", { every: OUTBOX_FLUSH_MS, runAtStart: true }, async () => {
      if (outbox.pending > 0) await outbox.flush();
    });
    await decl.started?.(state, ctx);
  } catch (err) {
    await scheduler.stopAll();
    await bus.close().catch(() => undefined);
    opener?.close();
    opts.signal?.removeEventListener("abort", onOuterAbort);
    throw err;
  }
  log.info({ principal: decl.principal, dataDir, bindings: attached.map(describe) }, `${decl.name} started`);
  let done: Promise<void> | undefined;
  return {
    ctx,
    shutdown(reason = "shutdown") {
      done ??= (async () => {
        log.info({ reason }, `${decl.name} stopping`);
        abort.abort();
        opts.signal?.removeEventListener("abort", onOuterAbort);
        const abandoned = await scheduler.stopAll(TASK_GRACE_MS);
        if (abandoned.length > 0) {
          log.warn(
            { tasks: abandoned },
            `${abandoned.join(", ")} still running ${TASK_GRACE_MS} ms after the stop; abandoned (what it had not done is done at the next start)`,
          );
        }
        await bus.quiesce();
        await decl.stopping?.(state, ctx);
        await bus.drain(DRAIN_TIMEOUT_MS);
        opener?.close();
        log.info(`${decl.name} stopped`);
      })();
      return done;
    },
  };
}

async function attach<T, D extends Tables>(b: Binding, ctx: WorkerContext<T, D>): Promise<void> {
  switch (b.kind) {
    case "subscription":
      b.attach(ctx.bus);
      return;
    case "consumer":
      // Its stream was waited for before setup; the consumer itself is created or put back here.
      await ctx.bus.consume(b.consumer, b.handle);
      return;
    case "service":
      await b.attach(ctx.bus);
      return;
    case "schedule":
      ctx.scheduler.add(b.name, b.schedule, b.run);
      return;
  }
}

function describe(b: Binding): string {
  switch (b.kind) {
    case "subscription":
      return `subscription ${b.event.subject}`;
    case "consumer":
      return `consumer ${b.consumer.durable}`;
    case "service":
      return `service ${b.service.name}`;
    case "schedule":
      return `schedule ${b.name} (${"every" in b.schedule ? `every ${b.schedule.every} ms` : `cron ${b.schedule.cron}${b.schedule.timezone ? ` ${b.schedule.timezone}` : ""}`})`;
  }
}

/**
 * How long shutdown waits for scheduled work in progress, then for NATS to drain. Together well
 * under the 15 s the launcher (and 40 s systemd) give a process before SIGKILL, also when NATS is
 * unreachable and a publish would wait out its own 10 s timeout.
 */
const TASK_GRACE_MS = 3_000;
const OUTBOX_FLUSH_MS = 2_000;
const DRAIN_TIMEOUT_MS = 5_000;

/** A degradable store that could not be opened (a full or read-only disk). */
export class StoreUnavailableError extends Error {
  override readonly name = "StoreUnavailableError";
  readonly code = "LAG_STORE_UNAVAILABLE";
  constructor(file: string, cause: Error | undefined) {
    super(`store ${file} is unavailable${cause ? `: ${cause.message}` : ""}`, { cause });
  }
}

/** sysexits EX_CONFIG: the launcher and systemd (RestartPreventExitStatus=78) do not restart it. */
export const EXIT_CONFIG = 78;

/**
 * Entry point of a worker process (`main.ts` is one line: `await runWorker(worker)`): starts it, and
 * on SIGINT/SIGTERM — also while it is still starting — shuts it down and exits 0. A configuration
 * error prints every problem and exits 78, as do credentials the server refuses.
 */
export async function runWorker<T, S, D extends Tables>(decl: WorkerDeclaration<T, S, D>): Promise<void> {
  const starting = new AbortController();
  let running: RunningWorker<T, D> | undefined;
  const stop = (signal: string) => {
    if (!running) {
      starting.abort();
      return;
    }
    running.shutdown(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        running!.ctx.log.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  // Signals may arrive twice (Ctrl-C in the terminal, then the launcher's SIGTERM): shutdown is idempotent.
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  try {
    running = await startWorker(decl, { signal: starting.signal });
  } catch (err) {
    if (err instanceof StartAbortedError) process.exit(0);
    if (err instanceof ConfigError) {
      process.stderr.write(`${decl.name}: ${formatConfigError(err)}\n`);
      process.exit(EXIT_CONFIG);
    }
    // Wrong credentials cannot heal by restarting: exit as a configuration error, so the launcher
    // (and systemd's RestartPreventExitStatus=78) do not restart it in a loop.
    if (err instanceof AuthorizationError || err instanceof UnsupportedServerError) {
      createLogger({ name: decl.name }).fatal(
        { code: (err as { code?: string }).code },
        `${decl.name} cannot use NATS: ${(err as Error).message}`,
      );
      process.exit(EXIT_CONFIG);
    }
    createLogger({ name: decl.name }).fatal({ err }, `${decl.name} could not start`);
    process.exit(1);
  }
  // A stray rejection is a bug to log, not a reason to drop everything in flight.
  process.on("unhandledRejection", (err) => running?.ctx.log.error({ err }, "unhandled promise rejection"));
}
