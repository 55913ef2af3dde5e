import { ServiceError } from "@lag/bus";
import { monitorService, parseSubject, severityRank, type MonitorStatus } from "@lag/contracts";
import { discoverServices } from "@lag/bus";
import { booleanOption, durationOption, integerOption, stringOption } from "../args.ts";
import { UsageError } from "../errors.ts";
import { renderUptime } from "./status-uptime.ts";
import type { Command } from "../command.ts";
import type { Style } from "../style.ts";
import { table } from "../table.ts";
import { ago } from "../times.ts";

const DEFAULT_WAIT_MS = 2_000;
const GB = 1e9;

/** The monitored hosts: every running `it-monitor` instance serves `lag.it.monitor.status.<host>`. */
async function monitoredHosts(nc: Parameters<typeof discoverServices>[0], waitMs: number): Promise<string[]> {
  const found = await discoverServices(nc, { name: monitorService.name, waitMs });
  const hosts = new Set<string>();
  for (const svc of found) {
    for (const e of svc.endpoints) {
      const t = parseSubject(monitorService.endpoints.status.subject, e.subject);
      if (t?.host) hosts.add(t.host);
    }
  }
  return [...hosts].sort();
}

export const status: Command = {
  name: "status",
  summary: "one screen: every monitored host, its disks, containers and checks, and every firing alert",
  usage: "[host…]",
  details: [
    "Finds every monitor through the NATS micro protocol (service it-monitor) and asks each host for its",
    "status (lag.it.monitor.status.<host>). Exit code 0 when every host is ok, 1 when something is firing",
    "or a host did not answer, so scripts and cron can use it.",
  ],
  options: {
    json: { type: "boolean", description: "a JSON array of the hosts' statuses (the contract's MonitorStatus)" },
    wait: { type: "string", value: "DURATION", description: `how long to look for monitors (default ${DEFAULT_WAIT_MS / 1000}s)` },
    uptime: { type: "boolean", description: "each check's availability over 24 h, 7 d, 30 d and 1 y, response times and a bar per day" },
    days: { type: "string", value: "N", description: "with --uptime: how many daily bars (default 30, at most 90)" },
    timezone: { type: "string", value: "TZ", description: "with --uptime: the days' time zone (default this machine's)" },
    "exclude-silences": { type: "boolean", description: "with --uptime: leave out the time silences (maintenance windows) covered" },
  },
  connects: true,
  examples: [
    "lag status",
    "lag status kronos",
    "lag status --json | jq '.[] | {host, health}'",
    "lag status --uptime --exclude-silences",
    "lag status --uptime --days 90 --json",
  ],
  async run({ args, out, bus: connect }) {
    const waitMs = durationOption("status", args, "wait") ?? DEFAULT_WAIT_MS;
    const bus = await connect();
    const hosts = args.positionals.length > 0 ? [...args.positionals] : await monitoredHosts(bus.nc, waitMs);
    if (hosts.length === 0) {
      out.note("no monitor answered on $SRV — is it-monitor running (npm start)?");
      return 1;
    }
    if (booleanOption(args, "uptime")) {
      const q = {
        days: integerOption("status", args, "days", 1) ?? 30,
        timezone: stringOption(args, "timezone") ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
        excludeSilences: booleanOption(args, "exclude-silences"),
      };
      if (q.days > 90) throw new UsageError("status: --days is at most 90");
      const asked = await askEach(hosts, (host) => bus.request(monitorService.endpoints.uptime, q, { tokens: { host }, timeout: 15_000 }));
      for (const a of asked) if (a.error) out.note(`${a.host}: ${a.error}`);
      const replies = asked.flatMap((a) => (a.value ? [a.value] : []));
      if (booleanOption(args, "json")) out.prettyJson(replies);
      else for (const l of renderUptime(replies, out.style)) out.fitted(l);
      return replies.length === asked.length ? 0 : 1;
    }
    const answers = (await askEach(hosts, (host) => bus.request(monitorService.endpoints.status, {}, { tokens: { host } }))).map(
      ({ host, value, error }) => ({ host, ...(value ? { status: value } : {}), ...(error ? { error } : {}) }),
    );
    const statuses = answers.flatMap((a) => (a.status ? [a.status] : []));
    if (booleanOption(args, "json")) out.prettyJson(statuses);
    else for (const l of render(answers, out.style)) out.fitted(l);
    const allWell = answers.every((a) => a.status && a.status.health === "ok");
    return allWell ? 0 : 1;
  },
};

/** Every host asked at once; a host that does not answer is its error line (`503 no it-monitor …`), not a failure of the rest. */
async function askEach<T>(
  hosts: readonly string[],
  ask: (host: string) => Promise<T>,
): Promise<{ host: string; value?: T; error?: string }[]> {
  return await Promise.all(
    hosts.map(async (host) => {
      try {
        return { host, value: await ask(host) };
      } catch (err) {
        return { host, error: err instanceof ServiceError ? `${err.status} ${err.description}` : (err as Error).message };
      }
    }),
  );
}

function uptime(sec: number): string {
  const d = Math.floor(sec / 86_400);
  const h = Math.floor((sec % 86_400) / 3600);
  return d > 0 ? `${d}d ${h}h` : `${h}h ${Math.floor((sec % 3600) / 60)}m`;
}

/**
 * Not running (a one-shot container that finished cleanly without a restart policy is done, not in
 * trouble), or running but unhealthy.
 */
function inTrouble(c: MonitorStatus["containers"][number]): boolean {
  if (c.health === "unhealthy") return true;
  if (c.state === "running") return false;
  return !(c.state === "exited" && c.exitCode === 0 && (c.restartPolicy ?? "no") === "no");
}

/** Disk health, RAID, the dynamic-DNS client and jobs, for the hosts whose target reads them (a NAS). */
function nasSections(statuses: readonly MonitorStatus[], s: Style): string[] {
  const out: string[] = [];
  const disks = statuses.flatMap((st) => (st.disks ?? []).map((d) => ({ host: st.host, d })));
  if (disks.length > 0) {
    out.push("", s.bold("DISK HEALTH"));
    const n = (v: number | undefined) => (v === undefined ? "-" : v > 0 ? s.yellow(String(v)) : "0");
    out.push(
      ...table(
        ["HOST", "DEVICE", "SMART", "REALLOC", "PENDING", "TEMP", "MODEL"],
        disks.map(({ host, d }) => [
          host,
          d.device,
          d.error ? s.red(`unreadable: ${d.error}`) : d.passed === false ? s.red("FAILING") : d.passed ? s.green("passed") : "-",
          n(d.reallocatedSectors),
          n(d.pendingSectors ?? d.mediaErrors),
          d.temperatureC !== undefined ? `${d.temperatureC} °C` : "-",
          d.model ?? "",
        ]),
      ),
    );
  }
  const arrays = statuses.flatMap((st) => (st.raid ?? []).map((a) => ({ host: st.host, a })));
  if (arrays.length > 0) {
    out.push("", s.bold("RAID"));
    out.push(
      ...table(
        ["HOST", "ARRAY", "LEVEL", "STATE", "MEMBERS", "DETAIL"],
        arrays.map(({ host, a }) => [
          host,
          a.array,
          a.level ?? "-",
          a.degraded ? s.red(a.state === "inactive" ? "inactive" : "degraded") : s.green(a.state),
          `${a.activeDevices}/${a.devices}`,
          [
            a.failed.length > 0 ? `failed: ${a.failed.join(", ")}` : "",
            a.sync
              ? `${a.sync.action} ${a.sync.pct}%${a.sync.finishMin !== undefined ? `, ${Math.round(a.sync.finishMin)} min left` : ""}`
              : "",
          ]
            .filter(Boolean)
            .join("; "),
        ]),
      ),
    );
  }
  const services = statuses.flatMap((st) => [
    ...(st.dynDns ? [[st.host, `dyndns (${st.dynDns.client})`, st.dynDns.ok, st.dynDns.at, st.dynDns.status] as const] : []),
    ...(st.jobs ?? []).map(
      (j) =>
        [
          st.host,
          `job ${j.name}`,
          j.ok !== false && !j.overdue,
          j.lastRun,
          j.error ?? (j.overdue ? `overdue; ${j.line ?? ""}` : (j.line ?? "no verdict in its log")),
        ] as const,
    ),
  ]);
  if (services.length > 0) {
    out.push("", s.bold("NAS SERVICES"));
    out.push(
      ...table(
        ["HOST", "WHAT", "STATE", "LAST", "DETAIL"],
        services.map(([host, what, ok, at, detail]) => [host, what, ok ? s.green("ok") : s.red("failing"), at ? ago(at) : "-", detail]),
      ),
    );
  }
  return out;
}

function render(answers: { host: string; status?: MonitorStatus; error?: string }[], s: Style): string[] {
  const health = (h: string) => (h === "ok" ? s.green(h) : h === "warning" ? s.yellow(h) : s.red(h));
  const out: string[] = [];
  out.push(
    ...table(
      ["HOST", "HEALTH", "CPU", "MEM", "LOAD", "UPTIME", "DOCKER", "CHECKS"],
      answers.map(({ host, status: st, error }) => {
        if (!st) return [host, s.red("no answer"), "", "", "", "", "", error ?? ""];
        if (st.reach && !st.reach.connected && st.reach.error) {
          return [host, health(st.health), "", "", "", "", "", s.red(`unreachable over SSH: ${st.reach.error}`)];
        }
        const running = st.containers.filter((c) => c.state === "running").length;
        const unhealthy = st.containers.filter((c) => c.health === "unhealthy").length;
        const failing = st.checks.filter((c) => !c.ok).length;
        return [
          host,
          health(st.health),
          `${Math.round(st.cpuPct)}%`,
          `${Math.round(st.memoryPct)}%`,
          st.load1.toFixed(2),
          uptime(st.uptimeSec),
          st.reach
            ? `ssh ${st.reach.address}`
            : st.docker.available
              ? `${running}/${st.containers.length} running${unhealthy ? s.red(`, ${unhealthy} unhealthy`) : ""}`
              : s.yellow("unavailable"),
          st.checks.length === 0
            ? "-"
            : failing === 0
              ? s.green(`${st.checks.length} ok`)
              : s.red(
                  `${failing}/${st.checks.length} failing: ${st.checks
                    .filter((c) => !c.ok)
                    .map((c) => c.check)
                    .join(", ")}`,
                ),
        ];
      }),
      s.bold,
    ),
  );
  const statuses = answers.flatMap((a) => (a.status ? [a.status] : []));
  out.push("", s.bold("DISKS"));
  out.push(
    ...table(
      ["HOST", "MOUNT", "ROLE", "USED", "FREE", "SIZE"],
      statuses.flatMap((st) =>
        st.filesystems.map((f) => [
          st.host,
          f.mount,
          f.role ?? "-",
          f.usedPct >= 90
            ? s.red(`${f.usedPct.toFixed(1)}%`)
            : f.usedPct >= 80
              ? s.yellow(`${f.usedPct.toFixed(1)}%`)
              : `${f.usedPct.toFixed(1)}%`,
          `${(f.freeBytes / GB).toFixed(1)} GB`,
          `${(f.sizeBytes / GB).toFixed(1)} GB`,
        ]),
      ),
    ),
  );
  out.push(...nasSections(statuses, s));
  const troubled = statuses.flatMap((st) => st.containers.filter(inTrouble).map((c) => ({ host: st.host, c })));
  if (troubled.length > 0) {
    out.push("", s.bold(`CONTAINERS NOT WELL (${troubled.length})`));
    out.push(
      ...table(
        ["HOST", "CONTAINER", "STATE", "HEALTH", "RESTARTS", "EXIT", "IMAGE"],
        troubled.map(({ host, c }) => [
          host,
          c.name,
          s.red(c.state),
          c.health === "unhealthy" ? s.red(c.health) : c.health,
          String(c.restartCount),
          c.exitCode !== undefined ? String(c.exitCode) : "-",
          c.image,
        ]),
      ),
    );
  }
  const checks = statuses.flatMap((st) => st.checks.map((c) => ({ host: st.host, c })));
  if (checks.length > 0) {
    out.push("", s.bold("CHECKS"));
    out.push(
      ...table(
        ["HOST", "CHECK", "KIND", "STATE", "LATENCY", "DETAIL"],
        checks.map(({ host, c }) => [
          host,
          c.check,
          c.kind,
          c.ok ? s.green("up") : s.red("down"),
          c.latencyMs !== undefined ? `${c.latencyMs.toFixed(1)} ms` : "-",
          c.detail ?? "",
        ]),
      ),
    );
  }
  const firing = statuses
    .flatMap((st) => st.firing)
    .sort((a, b) => severityRank[b.severity] - severityRank[a.severity] || a.startsAt.localeCompare(b.startsAt));
  out.push("", s.bold(`FIRING ALERTS (${firing.length})`));
  if (firing.length === 0) out.push(s.green("none: all is well"));
  else {
    out.push(
      ...table(
        ["SEVERITY", "HOST", "RULE", "FOR", "SUMMARY"],
        firing.map((a) => [
          a.severity === "critical" || a.severity === "high" ? s.red(a.severity) : s.yellow(a.severity),
          a.host,
          a.rule,
          ago(a.startsAt),
          a.summary,
        ]),
      ),
    );
  }
  return out;
}
