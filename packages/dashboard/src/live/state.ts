import type { Bus } from "@lag/bus";
import {
  type Alert,
  approvalsService,
  backupService,
  type CheckResult,
  type ContainersSnapshot,
  type HostMetrics,
  incidentsService,
  monitorService,
  storageTrend,
  subscriptionsService,
} from "@lag/contracts";
import type { Logger } from "@lag/log";
import { containerViews, hostView, type ContainerView, type HostView, type Overview } from "./overview.ts";

type Part = "incidents" | "approvals" | "backups" | "subscriptions";

/**
 * What the overview shows, kept up to date from the bus: host and container metrics, check
 * results and alerts as they are published; incidents, approvals, backups and subscriptions asked
 * of their services at start and again (debounced) when one of their events says something changed.
 * Listeners are told at most once per `everyMs`, so ten open pages cost one serialisation a second.
 */
export class LiveState {
  private readonly hosts = new Map<string, HostView>();
  private readonly containers = new Map<string, ContainerView[]>();
  private readonly docker = new Map<string, { host: string; available: boolean; error?: string }>();
  private readonly checks = new Map<string, Overview["checks"][number]>();
  private readonly alerts = new Map<string, Alert>();
  private asked: Pick<Overview, "incidents" | "approvals" | "backups" | "subscriptions"> = { incidents: [], approvals: [] };
  private readonly missing = new Map<Part, string>();
  /** Each host's mounts' trend over the last week: `host mount` → trend. */
  private readonly trends = new Map<string, { deltaPct: number; days: number; fullInDays?: number }>();
  private readonly listeners = new Set<(json: string) => void>();
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private refreshing = new Map<Part, NodeJS.Timeout>();

  constructor(private readonly o: { bus: Bus; log: Logger; everyMs: number; askTimeoutMs: number }) {}

  host(m: HostMetrics): void {
    const known = this.hosts.has(m.host);
    this.hosts.set(m.host, hostView(m));
    // A host seen for the first time: its mounts' trends at once (then hourly with the others).
    if (!known) void this.readTrends(Date.now(), [m.host]);
    this.changed();
  }

  containersOf(s: ContainersSnapshot): void {
    this.containers.set(s.host, containerViews(s));
    this.docker.set(s.host, { host: s.host, available: s.docker.available, ...(s.docker.error ? { error: s.docker.error } : {}) });
    this.changed();
  }

  check(c: CheckResult): void {
    const { host, check, kind, target, ok, time, latencyMs, detail } = c;
    this.checks.set(`${host}/${check}`, {
      host,
      check,
      kind,
      target,
      ok,
      time,
      ...(latencyMs !== undefined ? { latencyMs } : {}),
      ...(detail ? { detail } : {}),
    });
    this.changed();
  }

  alert(a: Alert): void {
    if (a.status === "firing") this.alerts.set(a.fingerprint, a);
    else this.alerts.delete(a.fingerprint);
    this.changed();
  }

  /** Something of this part changed: ask its service again, soon (a burst of events is one question). */
  refresh(part: Part, delayMs = 250): void {
    if (this.refreshing.has(part)) return;
    this.refreshing.set(
      part,
      setTimeout(() => {
        this.refreshing.delete(part);
        void this.ask([part]);
      }, delayMs),
    );
  }

  /** Asks the services for their parts now. */
  async ask(parts: readonly Part[] = ["incidents", "approvals", "backups", "subscriptions"]): Promise<void> {
    const timeout = this.o.askTimeoutMs;
    const bus = this.o.bus;
    const jobs: Record<Part, () => Promise<void>> = {
      incidents: async () => {
        this.asked.incidents = (await bus.request(incidentsService.endpoints.list, {}, { timeout })).incidents;
      },
      approvals: async () => {
        this.asked.approvals = (await bus.request(approvalsService.endpoints.list, { state: "pending" }, { timeout })).approvals;
      },
      backups: async () => {
        this.asked.backups = (await bus.request(backupService.endpoints.list, {}, { timeout })).plans;
      },
      subscriptions: async () => {
        this.asked.subscriptions = (
          await bus.request(subscriptionsService.endpoints.list, { dueWithinDays: 60 }, { timeout })
        ).subscriptions;
      },
    };
    await Promise.all(
      parts.map((p) =>
        jobs[p]().then(
          () => this.missing.delete(p),
          (err: Error) => {
            if (p === "backups") delete this.asked.backups;
            if (p === "subscriptions") delete this.asked.subscriptions;
            this.missing.set(p, err.message);
          },
        ),
      ),
    );
    this.changed();
  }

  /**
   * Each host's mounts over the last 7 days from its monitor's history (the 1-hour roll-up): how
   * much fuller, and when full at that pace. Asked when a host is first seen and hourly, not per page.
   */
  async readTrends(now: number, hosts: readonly string[] = [...this.hosts.keys()]): Promise<void> {
    const from = new Date(now - 7 * 86_400_000).toISOString();
    await Promise.all(
      hosts.map(async (host) => {
        try {
          const r = await this.o.bus.request(
            monitorService.endpoints.history,
            { metric: "fs.used_pct", from, stepSec: 3600 },
            { tokens: { host }, timeout: this.o.askTimeoutMs },
          );
          for (const s of r.series) {
            const first = s.points[0];
            const last = s.points.at(-1);
            const mount = s.labels.mount;
            if (!first || !last || !mount || last[0] - first[0] < 3_600_000) continue;
            this.trends.set(`${host} ${mount}`, storageTrend(first[2], last[2], Math.max((last[0] - first[0]) / 86_400_000, 1 / 24)));
          }
        } catch (err) {
          this.o.log.debug({ host, err: (err as Error).message }, "no storage trend for this host");
        }
      }),
    );
    this.changed();
  }

  snapshot(): Overview {
    const byName = <T extends { host: string }>(xs: T[], key: (x: T) => string) =>
      xs.sort((a, b) => a.host.localeCompare(b.host) || key(a).localeCompare(key(b)));
    return {
      at: new Date().toISOString(),
      hosts: [...this.hosts.values()]
        .sort((a, b) => a.host.localeCompare(b.host))
        .map((h) => ({
          ...h,
          filesystems: h.filesystems.map((f) => {
            const trend = this.trends.get(`${h.host} ${f.mount}`);
            return trend ? { ...f, trend } : f;
          }),
        })),
      containers: byName([...this.containers.values()].flat(), (c) => c.name),
      docker: [...this.docker.values()],
      checks: byName([...this.checks.values()], (c) => c.check),
      alerts: [...this.alerts.values()],
      ...this.asked,
      missing: [...this.missing].map(([p, why]) => `${p}: ${why}`),
    };
  }

  /** Calls `fn` with the overview as JSON whenever it changed (at most once per `everyMs`, serialised once for all); returns how to stop. */
  listen(fn: (json: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get listening(): number {
    return this.listeners.size;
  }

  private changed(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.dirty || this.listeners.size === 0) return;
      this.dirty = false;
      const json = JSON.stringify(this.snapshot());
      for (const fn of this.listeners) fn(json);
    }, this.o.everyMs);
  }

  stop(): void {
    clearTimeout(this.timer);
    for (const t of this.refreshing.values()) clearTimeout(t);
  }
}
