import { mapLimit } from "@lag/async";
import type { Container, ContainersSnapshot } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { DockerConnection } from "../../../docker/connection.ts";
import { DockerEngine } from "../../../docker/engine.ts";
import { DockerError } from "../../../docker/errors.ts";
import type { ContainerStats, ContainerSummary } from "../../../docker/types.ts";
import { ContainerProblems, DockerAvailability } from "./availability.ts";
import { DEFAULT_LABEL_PREFIXES, toContainer, type ContainerFacts } from "./container.ts";
import { cpuPercent, cpuReading, memoryUsage, type CpuReading } from "./usage.ts";

export interface DockerCollectorOptions {
  /** This monitor's host name (the subject token of the snapshot). */
  host: string;
  connection?: DockerConnection;
  /** Inspect calls in flight at once. */
  concurrency?: number;
  /**
   * Stats calls in flight at once. High on purpose: Docker Engine 20.10 (Debian 12) answers one-shot
   * stats on a one-second cadence (measured: concurrent requests return together about 1 s later,
   * sequential ones 1 s apart), so stats queued in waves would cost a second per wave.
   */
  statsConcurrency?: number;
  /** Container labels kept in snapshots, by prefix (see DEFAULT_LABEL_PREFIXES for why). */
  labelPrefixes?: readonly string[];
  logger?: Logger;
  /** Where DOCKER_HOST / DOCKER_CERT_PATH are read when the connection names no host. */
  env?: NodeJS.ProcessEnv;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; gone: boolean };

/**
 * Every container of one Docker engine, running or not, each interval. Never throws: an engine that
 * does not answer gives a snapshot with `docker.available: false` and the reason, logged once per outage.
 */
export class DockerCollector {
  readonly endpoint: string;
  private readonly engine: DockerEngine;
  private version?: string;
  /** Last cumulative CPU counters per running container: one-shot stats carry no previous sample. */
  private readonly cpu = new Map<string, CpuReading>();
  /** Last known restart count, standing in when an inspect fails once. */
  private readonly restarts = new Map<string, number>();
  private readonly availability: DockerAvailability;
  private readonly problems: ContainerProblems;
  private lastMs?: number;

  constructor(private readonly opts: DockerCollectorOptions) {
    // A bad endpoint is reported like an outage (every snapshot says why), not thrown at start-up.
    this.engine = new DockerEngine(opts.connection ?? {}, opts.env ?? process.env);
    this.endpoint = this.engine.endpoint;
    this.availability = new DockerAvailability(this.endpoint, opts.logger);
    this.problems = new ContainerProblems(opts.logger);
  }

  /** Wall time of the last collection, in milliseconds. */
  get lastCollectMs(): number | undefined {
    return this.lastMs;
  }

  async collect(now: Date = new Date()): Promise<ContainersSnapshot> {
    const started = performance.now();
    const base = { host: this.opts.host, time: now.toISOString() };
    try {
      const { version, containers } = await this.collectFrom(this.engine);
      this.availability.up(version, now);
      return { ...base, docker: { available: true, ...(version ? { version } : {}) }, containers };
    } catch (err) {
      // Anything but a DockerError is a bug of ours; it still must not stop the monitor's timer.
      const reason = err instanceof DockerError ? err.message : `Docker collection failed: ${(err as Error).stack ?? String(err)}`;
      this.availability.down(reason, now);
      this.version = undefined;
      return { ...base, docker: { available: false, error: reason.split("\n")[0]! }, containers: [] };
    } finally {
      this.lastMs = performance.now() - started;
    }
  }

  /** Closes kept-alive connections to the engine. The collector can still collect afterwards. */
  close(): void {
    this.engine.close();
  }

  private async collectFrom(api: DockerEngine): Promise<{ version?: string; containers: Container[] }> {
    const list = await api.listContainers();
    // The version is a label on the snapshot, asked once per connection; the list above already
    // proved the engine answers, so a failure here only leaves the label out until next time.
    this.version ??= await api.version().then(
      (v) => v.Version,
      () => undefined,
    );
    const running = list.filter((s) => s.State === "running");
    const [inspects, stats] = await Promise.all([
      mapLimit(list, this.opts.concurrency ?? 8, (s) => this.attempt(s, "inspect", () => api.inspectContainer(s.Id))),
      mapLimit(running, this.opts.statsConcurrency ?? 64, (s) => this.attempt(s, "stats", () => api.containerStats(s.Id))),
    ]);
    const statsById = new Map(running.map((s, i) => [s.Id, stats[i]!]));
    const containers: Container[] = [];
    list.forEach((summary, i) => {
      const inspected = inspects[i]!;
      if (!inspected.ok && inspected.gone) return; // removed between list and inspect
      const usage = this.usage(summary.Id, statsById.get(summary.Id));
      const c = toContainer({
        summary,
        ...(inspected.ok ? { inspect: inspected.value } : {}),
        lastRestartCount: this.restarts.get(summary.Id),
        ...usage,
        labelPrefixes: this.opts.labelPrefixes ?? DEFAULT_LABEL_PREFIXES,
      });
      this.restarts.set(summary.Id, c.restartCount);
      containers.push(c);
    });
    this.forgetAllBut(new Set(list.map((s) => s.Id)), new Set(running.map((s) => s.Id)));
    return { version: this.version, containers: containers.sort((a, b) => a.name.localeCompare(b.name)) };
  }

  private usage(id: string, stats: Outcome<ContainerStats> | undefined): Pick<ContainerFacts, "cpuPct" | "memory"> {
    // An empty answer (a container removed while its stats were asked) has no figures this time.
    if (!stats?.ok || !stats.value) return {};
    const payload = stats.value;
    const reading = cpuReading(payload);
    const out: Pick<ContainerFacts, "cpuPct" | "memory"> = {};
    if (reading) {
      const pct = cpuPercent(this.cpu.get(id), reading);
      if (pct !== undefined) out.cpuPct = pct;
      this.cpu.set(id, reading);
    }
    const memory = memoryUsage(payload);
    if (memory) out.memory = memory;
    return out;
  }

  /**
   * One per-container call. A 404 means the container went away meanwhile; a timeout or HTTP error
   * concerns that container only (logged once); an unreachable engine fails the whole collection.
   */
  private async attempt<T>(s: ContainerSummary, call: string, run: () => Promise<T>): Promise<Outcome<T>> {
    const name = (s.Names[0] ?? s.Id).replace(/^\//, "");
    try {
      const value = await run();
      this.problems.clear(s.Id, name, call);
      return { ok: true, value };
    } catch (err) {
      if (!(err instanceof DockerError) || (err.code !== "DOCKER_TIMEOUT" && err.code !== "DOCKER_API")) throw err;
      if (err.status === 404) return { ok: false, gone: true };
      this.problems.report(s.Id, name, call, err.message);
      return { ok: false, gone: false };
    }
  }

  private forgetAllBut(listed: ReadonlySet<string>, running: ReadonlySet<string>): void {
    for (const id of this.restarts.keys()) if (!listed.has(id)) this.restarts.delete(id);
    // A stopped container's next start resets its counters; an old reading would only be discarded.
    for (const id of this.cpu.keys()) if (!running.has(id)) this.cpu.delete(id);
    this.problems.keepOnly(listed);
  }
}
