import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { listenOn } from "./http/server.ts";
import type { BusFigures } from "./live/bus-figures.ts";
import type { Overview } from "./live/overview.ts";

type Labels = Record<string, string>;

/** A label value in the text format: backslash, quote and newline escaped. */
const labelValue = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const series = (name: string, labels: Labels, value: number) => {
  const ls = Object.entries(labels);
  return `${name}${ls.length > 0 ? `{${ls.map(([k, v]) => `${k}="${labelValue(v)}"`).join(",")}}` : ""} ${Number.isFinite(value) ? value : "NaN"}`;
};

/** A counter: values per label set, only ever going up. */
class Counter {
  private readonly values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = JSON.stringify(labels);
    const v = this.values.get(key) ?? { labels, value: 0 };
    v.value += by;
    this.values.set(key, v);
  }
  lines(): string[] {
    return [
      `# HELP ${this.name} ${this.help}`,
      `# TYPE ${this.name} counter`,
      ...[...this.values.values()].map((v) => series(this.name, v.labels, v.value)),
    ];
  }
}

/** A gauge read when scraped. */
interface Gauge {
  name: string;
  help: string;
  read: () => { labels: Labels; value: number }[];
}

/**
 * The system's own figures in Prometheus' text format (version 0.0.4), on a separate address
 * without login: hosts and how long since each spoke, messages received by kind, alerts firing,
 * incidents open, approvals pending, backup age per plan, the page's logins, actions and live streams.
 */
export class PageMetrics {
  private readonly received = new Counter("lag_messages_received_total", "Messages the status page received from the bus, by event type");
  private readonly logins = new Counter("lag_dashboard_logins_total", "Login attempts on the status page, by outcome");
  private readonly actions = new Counter("lag_dashboard_actions_total", "Actions taken on the status page, by action and outcome");
  private open = 0;
  private readonly gauges: Gauge[];

  constructor(overview: () => Overview, bus: () => BusFigures) {
    const count = <T>(xs: T[], key: (x: T) => Labels) => {
      const m = new Map<string, { labels: Labels; value: number }>();
      for (const x of xs) {
        const labels = key(x);
        const k = JSON.stringify(labels);
        m.set(k, { labels, value: (m.get(k)?.value ?? 0) + 1 });
      }
      return [...m.values()];
    };
    this.gauges = [
      {
        name: "lag_service_instances",
        help: "Running instances of each service (NATS micro discovery), by the principal that serves it: 0 when a process is down",
        read: () => bus().services.map((x) => ({ labels: { service: x.service, server: x.server }, value: x.instances })),
      },
      {
        name: "lag_stream_messages_stored_total",
        help: "Messages ever stored in each stream (its last sequence): what was published durably",
        read: () => bus().streams.map((x) => ({ labels: { stream: x.stream }, value: x.lastSeq })),
      },
      {
        name: "lag_dead_letters",
        help: "Dead letters waiting in each principal's dead-letter stream (lag dlq)",
        read: () =>
          bus()
            .streams.filter((x) => x.deadLetters)
            .map((x) => ({ labels: { stream: x.stream }, value: x.messages })),
      },
      { name: "lag_dashboard_streams", help: "Live update streams open", read: () => [{ labels: {}, value: this.open }] },
      {
        name: "lag_alerts_firing",
        help: "Alerts firing now, by severity",
        read: () => count(overview().alerts, (a) => ({ severity: a.severity })),
      },
      {
        name: "lag_incidents_open",
        help: "Open incidents, by severity",
        read: () => count(overview().incidents, (i) => ({ severity: i.severity })),
      },
      {
        name: "lag_approvals_pending",
        help: "Approval requests waiting for a person",
        read: () => [{ labels: {}, value: overview().approvals.length }],
      },
      {
        name: "lag_backup_last_success_age_seconds",
        help: "Seconds since each backup plan's last good run",
        read: () =>
          (overview().backups ?? [])
            .filter((p) => p.lastSuccess)
            .map((p) => ({ labels: { plan: p.plan }, value: (Date.now() - Date.parse(p.lastSuccess!)) / 1000 })),
      },
      {
        name: "lag_host_seen_age_seconds",
        help: "Seconds since each host's last metrics (a monitor that stopped grows here)",
        read: () => overview().hosts.map((h) => ({ labels: { host: h.host }, value: (Date.now() - Date.parse(h.time)) / 1000 })),
      },
    ];
  }

  message(type: string): void {
    this.received.inc({ type });
  }

  login(outcome: "ok" | "failed" | "limited"): void {
    this.logins.inc({ outcome });
  }

  action(action: string, outcome: "ok" | "failed"): void {
    this.actions.inc({ action, outcome });
  }

  streams(delta: number): void {
    this.open += delta;
  }

  text(): string {
    const gauges = this.gauges.flatMap((g) => [
      `# HELP ${g.name} ${g.help}`,
      `# TYPE ${g.name} gauge`,
      ...g.read().map((v) => series(g.name, v.labels, v.value)),
    ]);
    return `${[...this.received.lines(), ...this.logins.lines(), ...this.actions.lines(), ...gauges].join("\n")}\n`;
  }

  async listen(host: string, port: number): Promise<{ server: Server; port: number }> {
    const server = createServer((req, res) => {
      if (req.url !== "/metrics") res.writeHead(404, { "content-type": "text/plain" }).end("only /metrics here\n");
      else res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(this.text());
    });
    await listenOn(server, host, port, "dashboard.metrics");
    return { server, port: (server.address() as AddressInfo).port };
  }
}
