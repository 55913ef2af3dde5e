import { join } from "node:path";
import { readSecret } from "@lag/config";
import type { Bus } from "@lag/bus";
import type { Logger } from "@lag/log";
import { StoreOpener } from "@lag/worker";
import { AlertBook, alertStateFile } from "./alerts/alert-book.ts";
import { sshSampler } from "./collect/ssh/sampler.ts";
import { SshSession } from "./collect/ssh/session.ts";
import type { SshTargetConfig } from "./collect/ssh/target-config.ts";
import { historyMigrationsFolder, historyStoreName } from "./history/history.ts";
import { HistoryKeeper } from "./history/keeper.ts";
import type { HistoryOptions } from "./history/options.ts";
import * as historySchema from "./history/schema.ts";
import { MonitorRound } from "./round.ts";
import type { CompiledRule } from "./rules/compile.ts";

/** A host read over SSH: the same round, history and alert book as the monitor's own host, under its own name. */
export interface SshTarget {
  host: string;
  config: SshTargetConfig;
  session: SshSession;
  history: HistoryKeeper;
  round: MonitorRound;
  close(): void;
}

export function sshTarget(
  t: SshTargetConfig,
  deps: {
    bus: Bus;
    log: Logger;
    dataDir: string;
    rules: readonly CompiledRule[];
    history: Partial<HistoryOptions>;
    historyRetryMs: number;
  },
): SshTarget {
  const log = deps.log.child({ target: t.host });
  const session = new SshSession(
    {
      name: t.host,
      address: t.address,
      port: t.port,
      user: t.user,
      keyFile: t.keyFile,
      ...(t.passphrase ? { passphrase: () => readSecret(t.passphrase!) } : {}),
      hostKeys: t.hostKey === undefined ? [] : [t.hostKey].flat(),
      connectTimeoutMs: t.connectTimeout,
      reconnectMinMs: t.reconnect.min,
      reconnectMaxMs: t.reconnect.max,
    },
    log,
  );
  // Its own history file, as a monitor on that host would have: `it-monitor-<host>.sqlite`.
  const store = new StoreOpener({
    file: join(deps.dataDir, `${historyStoreName(t.host)}.sqlite`),
    schema: historySchema,
    migrationsFolder: historyMigrationsFolder,
    owner: `the monitor of ${t.host}`,
    log,
    degradable: true,
  });
  const history = new HistoryKeeper(
    { tryStore: () => store.open(), storeProblem: () => store.problem },
    deps.history,
    log,
    deps.historyRetryMs,
  );
  const sampler = sshSampler(
    {
      host: t.host,
      intervalMs: t.interval,
      proc: t.proc,
      mounts: t.mounts,
      ...(t.smart ? { smart: t.smart } : {}),
      raid: t.raid,
      ...(t.noip ? { noipFile: t.noip.statusFile } : {}),
      jobs: t.jobs.map((j) => ({
        name: j.name,
        file: j.file,
        success: new RegExp(j.success, "i"),
        failure: new RegExp(j.failure, "i"),
        maxAgeMs: j.maxAge,
      })),
      timeoutMs: t.timeout,
    },
    (command, timeoutMs) => session.exec(command, timeoutMs),
  );
  const round = new MonitorRound({
    host: t.host,
    bus: deps.bus,
    log,
    sampler,
    reach: () => ({ via: "ssh", address: `${t.user}@${t.address}:${t.port}`, connected: session.connected }),
    history,
    rules: deps.rules,
    alerts: new AlertBook(alertStateFile(deps.dataDir, t.host), deps.bus, log),
  });
  return {
    host: t.host,
    config: t,
    session,
    history,
    round,
    close() {
      session.close();
      store.close();
    },
  };
}
