import {
  checkResult,
  containerMetrics,
  hostMetrics,
  type CheckResult,
  type ContainersSnapshot,
  type HostMetrics,
  type MonitorStatus,
} from "@lag/contracts";
import type { Bus } from "@lag/bus";
import type { Logger } from "@lag/log";
import type { AlertBook } from "./alerts/alert-book.ts";
import type { CheckRunner } from "./checks/runner.ts";
import type { HostSampler } from "./collect/host.ts";
import type { DockerCollector } from "./docker/collector.ts";
import type { HistoryKeeper } from "./history/keeper.ts";
import type { CompiledRule } from "./rules/compile.ts";
import { reachableSample, samplesFromChecks, samplesFromContainers, samplesFromHost, samplesFromStores } from "./samples.ts";
import { healthOf } from "./status-report.ts";

export interface RoundDeps {
  host: string;
  bus: Bus;
  log: Logger;
  sampler: HostSampler;
  docker?: DockerCollector;
  /** The monitor's own host runs the service checks; a host read over SSH has none. */
  checks?: CheckRunner;
  /** For a host read over SSH: how it is reached. Its sampler failing is then `host.reachable 0`, not an error. */
  reach?: () => NonNullable<MonitorStatus["reach"]>;
  history: HistoryKeeper;
  rules: readonly CompiledRule[];
  alerts: AlertBook;
}

/**
 * One monitoring round, every interval: sample the host and Docker, publish them, turn everything
 * (with the latest check results) into samples, store history, evaluate the rules and publish the
 * alerts they produce.
 */
export class MonitorRound {
  metrics?: HostMetrics;
  containers?: ContainersSnapshot;
  /** Why a host read over SSH could not be read in the last round. */
  private readError?: string;

  constructor(private readonly d: RoundDeps) {}

  async run(now = new Date()): Promise<void> {
    const [metrics, containers] = await Promise.all([this.sampleHost(), this.d.docker?.collect(now)]);
    if (metrics) {
      this.metrics = metrics;
      this.d.bus.emit(hostMetrics, metrics);
    }
    if (containers) {
      this.containers = containers;
      this.d.bus.emit(containerMetrics, containers);
    }
    const samples = [
      ...(this.d.reach ? [reachableSample(metrics !== undefined)] : []),
      ...(metrics ? samplesFromHost(metrics) : []),
      ...(containers ? samplesFromContainers(containers) : []),
      ...samplesFromChecks(this.d.checks?.latest() ?? []),
    ];
    // History is best effort: whatever the store does, the rules are evaluated and alerts go out,
    // and a store that fails is itself a sample the rules see.
    const historyOk = this.d.history.ingest(samples, now);
    samples.push(...samplesFromStores({ history: historyOk, "alert-state": this.d.alerts.saving }));
    const fresh = this.d.alerts.evaluate(this.d.rules, samples, now, this.d.host);
    for (const a of fresh) {
      const line = { rule: a.rule, severity: a.severity, status: a.status, repeat: a.repeat, summary: a.summary };
      if (a.status === "firing" && a.repeat === 0) this.d.log.warn(line, "alert firing");
      else if (a.status === "resolved") this.d.log.info(line, "alert resolved");
    }
    await this.d.alerts.flush();
  }

  /** The host's metrics; undefined when a host read over SSH cannot be read this round (the session says why). */
  private async sampleHost(): Promise<HostMetrics | undefined> {
    if (!this.d.reach) return await this.d.sampler.sample();
    try {
      const m = await this.d.sampler.sample();
      this.readError = undefined;
      return m;
    } catch (err) {
      const why = (err as Error).message;
      if (why !== this.readError) this.d.log.warn({ host: this.d.host }, `cannot read ${this.d.host}: ${why}`);
      this.readError = why;
      return undefined;
    }
  }

  /** Publishes a check result as it comes (the next round evaluates it). */
  onCheck(r: CheckResult): void {
    this.d.bus.emit(checkResult, r);
  }

  status(now: Date): MonitorStatus {
    const m = this.metrics;
    const firing = this.d.alerts.firing();
    return {
      host: this.d.host,
      time: now.toISOString(),
      health: healthOf(firing),
      uptimeSec: m?.uptimeSec ?? 0,
      cpuPct: m?.cpu.usagePct ?? 0,
      memoryPct: m?.memory.usedPct ?? 0,
      load1: m?.load.l1 ?? 0,
      filesystems: (m?.filesystems ?? []).map((f) => ({
        mount: f.mount,
        ...(f.role ? { role: f.role } : {}),
        usedPct: f.usedPct,
        freeBytes: f.freeBytes,
        sizeBytes: f.sizeBytes,
      })),
      docker: this.d.docker
        ? {
            available: this.containers?.docker.available ?? false,
            ...(this.containers?.docker.error ? { error: this.containers.docker.error } : {}),
          }
        : { available: false, error: this.d.reach ? "read over SSH: no Docker" : "Docker monitoring is disabled in the configuration" },
      ...(this.d.reach ? { reach: { ...this.d.reach(), ...(this.readError ? { error: this.readError } : {}) } } : {}),
      ...(m?.disks ? { disks: m.disks } : {}),
      ...(m?.raid ? { raid: m.raid } : {}),
      ...(m?.dynDns ? { dynDns: m.dynDns } : {}),
      ...(m?.jobs ? { jobs: m.jobs } : {}),
      containers: this.containers?.containers ?? [],
      checks: this.d.checks?.latest() ?? [],
      firing,
    };
  }
}
