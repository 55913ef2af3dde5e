import { join } from "node:path";
import type { Clock } from "@lag/async";
import { maintenanceResult, maintenanceSummary, type MaintenanceResult, type MaintenanceTask } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import type { RaisedAlerts } from "../../raised-alerts.ts";
import type { MaintenanceBook } from "./book.ts";
import type { MaintenanceConfig } from "./config.ts";
import type { DockerLogs } from "./docker-logs.ts";
import { bySource, readAttempts } from "./failed-logins.ts";
import type { ImageUpdates } from "./image-updates.ts";
import { cleanFolder } from "./log-cleanup.ts";
import { osUpdates } from "./os-updates.ts";
import { lagDatabases, optimizeDatabase } from "./sqlite-optimize.ts";

const DAY = 86_400_000;
type Figures<T extends MaintenanceTask> = Omit<Extract<MaintenanceResult, { task: T }>, "task" | "at" | "host" | "durationMs" | "error">;

/**
 * The maintenance tasks: each runs on its own schedule (or on demand), its figures become a result
 * event and the task's last result; past a threshold, an alert. A task that fails is a result with
 * its error, never a crash.
 */
export class MaintenanceTasks {
  constructor(
    private readonly o: {
      cfg: MaintenanceConfig;
      host: string;
      dataDir: string;
      book: MaintenanceBook;
      images: ImageUpdates;
      dockerLogs: DockerLogs;
      alerts: RaisedAlerts;
      outbox: Outbox;
      clock: Clock;
      log: Logger;
      signal: AbortSignal;
    },
  ) {}

  private readonly running = new Map<MaintenanceTask, Promise<MaintenanceResult>>();

  /** Runs a task (or joins the run under way) and publishes its result. */
  run(task: MaintenanceTask): Promise<MaintenanceResult> {
    const held = this.running.get(task);
    if (held) return held;
    const p = this.runOnce(task).finally(() => this.running.delete(task));
    this.running.set(task, p);
    return p;
  }

  async settle(): Promise<void> {
    await Promise.allSettled(this.running.values());
  }

  private async runOnce(task: MaintenanceTask): Promise<MaintenanceResult> {
    const { clock, log, host } = this.o;
    const started = performance.now();
    const at = clock.now().toISOString();
    let result: MaintenanceResult;
    try {
      const figures = await this.figures(task);
      result = { task, at, host, durationMs: Math.round(performance.now() - started), ...figures } as MaintenanceResult;
    } catch (err) {
      const error = (err as Error).message;
      result = { task, at, host, durationMs: Math.round(performance.now() - started), error, ...EMPTY[task] } as MaintenanceResult;
      log.warn({ task, err }, `maintenance ${task} failed: ${error}`);
    }
    this.o.book.saveResult(result);
    this.o.outbox.add(maintenanceResult, result);
    void this.o.outbox.flush();
    log.info({ task, durationMs: result.durationMs, error: result.error }, `maintenance ${task}: ${maintenanceSummary(result)}`);
    return result;
  }

  private figures(task: MaintenanceTask): Promise<Figures<MaintenanceTask>> {
    switch (task) {
      case "image-updates":
        return this.o.images.run();
      case "log-cleanup":
        return this.logCleanup();
      case "docker-logs":
        return this.o.dockerLogs.run();
      case "sqlite":
        return Promise.resolve(this.sqlite());
      case "os-updates":
        return this.osUpdates();
      case "failed-logins":
        return this.failedLogins();
    }
  }

  private async logCleanup(): Promise<Figures<"log-cleanup">> {
    const { cfg, dataDir, clock } = this.o;
    const now = clock.now().getTime();
    const rules = [
      { path: join(dataDir, "logs"), match: "*.log*", maxAge: cfg.logs.lag.maxAge, maxBytes: cfg.logs.lag.maxBytes },
      ...cfg.logs.paths,
    ];
    const paths = [];
    for (const r of rules) paths.push(await cleanFolder(r, now));
    return { paths, removed: paths.reduce((s, p) => s + p.removed, 0), bytesFreed: paths.reduce((s, p) => s + p.bytesFreed, 0) };
  }

  private sqlite(): Figures<"sqlite"> {
    const databases = lagDatabases(this.o.dataDir).map((f) => optimizeDatabase(f, this.o.cfg.sqlite.vacuumAtFreePct));
    const total = (k: "bytesBefore" | "bytesAfter" | "walBytesBefore" | "walBytesAfter") => databases.reduce((s, d) => s + d[k], 0);
    return {
      databases,
      bytesBefore: total("bytesBefore") + total("walBytesBefore"),
      bytesAfter: total("bytesAfter") + total("walBytesAfter"),
    };
  }

  private async osUpdates(): Promise<Figures<"os-updates">> {
    const { cfg, alerts, clock } = this.o;
    const u = await osUpdates({ command: cfg.os.command, rebootRequiredFile: cfg.os.rebootRequiredFile, signal: this.o.signal });
    if (u.security > 0) {
      const names = u.packages.filter((p) => p.security).map((p) => p.name);
      alerts.fire({
        rule: "security-updates",
        severity: "medium",
        summary: `${u.security} security update${u.security === 1 ? "" : "s"} pending on ${this.o.host}: ${names.slice(0, 5).join(", ")}${names.length > 5 ? " …" : ""}`,
        labels: {},
        value: u.security,
        threshold: 0,
      });
    } else alerts.resolve("security-updates", {}, "no security update pending");
    const waited = u.rebootSince === undefined ? 0 : clock.now().getTime() - u.rebootSince;
    if (u.rebootRequired && waited >= cfg.os.rebootAlertAfter)
      alerts.fire({
        rule: "reboot-required",
        severity: "medium",
        summary: `${this.o.host} has needed a reboot for ${Math.floor(waited / DAY)} days${u.rebootPackages.length ? ` (for ${u.rebootPackages.slice(0, 3).join(", ")})` : ""}`,
        labels: {},
        value: Math.floor(waited / DAY),
      });
    else if (!u.rebootRequired) alerts.resolve("reboot-required", {}, `${this.o.host} needs no reboot`);
    const { rebootSince: _since, ...figures } = u;
    return figures;
  }

  private async failedLogins(): Promise<Figures<"failed-logins">> {
    const { cfg, alerts, clock } = this.o;
    const now = clock.now();
    const windowHours = cfg.logins.windowHours;
    const { source, attempts } = await readAttempts({
      source: cfg.logins.source,
      file: cfg.logins.file,
      journalctl: cfg.logins.journalctl,
      since: now.getTime() - windowHours * 3_600_000,
      now,
      signal: this.o.signal,
    });
    const sources = bySource(attempts.filter((a) => a.at <= now.getTime()));
    const total = sources.reduce((s, x) => s + x.count, 0);
    if (total >= cfg.logins.alertAt) {
      const top = sources[0]!;
      alerts.fire({
        rule: "failed-logins",
        severity: "medium",
        summary: `${total} failed SSH logins in ${windowHours} h from ${sources.length} address${sources.length === 1 ? "" : "es"} (most: ${top.address}, ${top.count})`,
        labels: {},
        value: total,
        threshold: cfg.logins.alertAt,
      });
    } else alerts.resolve("failed-logins", {}, `${total} failed SSH logins in ${windowHours} h`);
    return { source, windowHours, total, top: sources.slice(0, 10), addresses: sources.length };
  }
}

/** The figures of a task that failed before it had any. */
const EMPTY: { [T in MaintenanceTask]: Figures<T> } = {
  "image-updates": { containers: [], pending: 0 },
  "log-cleanup": { paths: [], removed: 0, bytesFreed: 0 },
  "docker-logs": { containers: [], totalBytes: 0, over: [] },
  sqlite: { databases: [], bytesBefore: 0, bytesAfter: 0 },
  "os-updates": { pending: 0, security: 0, packages: [], rebootRequired: false, rebootPackages: [] },
  "failed-logins": { source: "none", windowHours: 0, total: 0, top: [], addresses: 0 },
};
