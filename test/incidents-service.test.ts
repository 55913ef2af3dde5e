import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus } from "@lag/bus";
import {
  alert,
  approvalDecided,
  hostMetrics,
  incidentChanged,
  notification,
  silenceChanged,
  type Alert,
  type Incident,
  type IncidentSummary,
  type Notification,
  type Silence,
} from "@lag/contracts";
import { incidentsWorker } from "@lag/it-lag";
import { eventually, memoryLogger, startTestNats, type TestNats } from "@lag/testing";
import { startWorker, type RunningWorker } from "@lag/worker";
import { cleanEnv, jsonOf, lag } from "../packages/cli/test/run-lag.fixture.ts";

/**
 * The incident worker as a process sees it: alerts arrive on the bus from a monitor, people act
 * through `lag`, and everything it decides is an event — critical notifications at once, silences
 * with their start and end, a silent host, acknowledgements and prevention notes.
 */
let nats: TestNats;
let monitor: Bus;
let watcher: Bus;
let worker: RunningWorker | undefined;
let config: string;
const log = memoryLogger("it-incidents");
const notes: Notification[] = [];
const changes: { kind: string; id: string }[] = [];
const silenceEvents: { change: string; id: string }[] = [];

const env = () => cleanEnv({ NATS_URL: nats.url, LAG_USER: "ana" });
const start = async () => {
  worker = await startWorker(incidentsWorker, { env: { LAG_CONFIG: config, NATS_URL: nats.url }, logger: log.logger });
};

function fire(rule: string, container: string, severity: Alert["severity"], status: Alert["status"] = "firing"): Promise<unknown> {
  const a: Alert = {
    fingerprint: `${rule}/svc/container=${container}`,
    rule,
    host: "svc",
    status,
    severity,
    summary: `container ${container}: ${rule}`,
    source: "container.healthy",
    value: 0,
    threshold: 0,
    labels: { container },
    startsAt: new Date().toISOString(),
    ...(status === "resolved" ? { endsAt: new Date().toISOString() } : {}),
    repeat: 0,
  };
  return monitor.publish(alert, a);
}

async function incidentOf(container: string): Promise<IncidentSummary> {
  let found: IncidentSummary | undefined;
  await eventually(
    async () => {
      found = jsonOf<IncidentSummary[]>(await lag(["incidents", "--json"], env())).find((i) => i.group.container === container);
      return found !== undefined;
    },
    15_000,
    `an incident for ${container}`,
  );
  return found!;
}

beforeAll(async () => {
  nats = await startTestNats();
  await nats.provisionStreams();
  const dir = mkdtempSync(join(tmpdir(), "lag-incidents-svc-"));
  config = join(dir, "lag.yaml");
  writeFileSync(
    config,
    `dataDir: ${dir}\nit:\n  monitor: { host: svc }\n  incidents:\n    groupWait: 1m\n    resolveAfter: 1s\n    hostSilentAfter: 2s\n    runbooks: []\n`,
  );
  monitor = await nats.bus("it-monitor");
  watcher = await nats.bus("cli");
  watcher.subscribe(notification, (d) => void notes.push(d.data));
  watcher.subscribe(incidentChanged, (d) => void changes.push({ kind: d.data.entry.kind, id: d.data.incident.id }));
  watcher.subscribe(silenceChanged, (d) => void silenceEvents.push({ change: d.data.change, id: d.data.silence.id }));
  await watcher.nc.flush();
  await start();
}, 60_000);
afterAll(async () => {
  await worker?.shutdown("test");
  await nats?.stop();
});

describe("the incident worker on the bus", () => {
  it("a critical incident is notified at once; others wait for their group", async () => {
    await fire("container-down", "db", "critical");
    await fire("container-unhealthy", "cache", "high");
    const crit = await incidentOf("db");
    await eventually(() => notes.some((n) => n.incident.id === crit.id && n.kind === "opened"), 10_000, "the critical notification");
    const n = notes.find((x) => x.incident.id === crit.id)!;
    expect(n.incident.severity).toBe("critical");
    expect(n.title).toContain("[critical] svc");
    const high = await incidentOf("cache");
    await new Promise((r) => setTimeout(r, 1_500));
    expect(notes.some((x) => x.incident.id === high.id)).toBe(false);
    expect(changes.some((c) => c.id === crit.id && c.kind === "opened")).toBe(true);
  }, 30_000);

  it("acknowledge, resolve, and write the prevention afterwards — each an event with its person", async () => {
    const inc = await incidentOf("db");
    const ack = await lag(["incident", "ack", inc.id, "--note", "on it"], env());
    expect(ack.code, ack.stderr).toBe(0);
    const twice = await lag(["incident", "ack", inc.id, "--by", "bob"], env());
    expect(twice.code).toBe(0);
    const res = await lag(["incident", "resolve", inc.id, "--note", "restarted by hand"], env());
    expect(res.code, res.stderr).toBe(0);
    const prev = await lag(["incident", "note", inc.id, "--prevention", "memory", "limit", "raised"], env());
    expect(prev.code, prev.stderr).toBe(0);
    const shown = jsonOf<Incident>(await lag(["incident", "show", inc.id, "--json"], env()));
    expect(shown.acknowledged).toMatchObject({ by: "ana", note: "on it" });
    expect(shown.state).toBe("resolved");
    expect(shown.prevention).toBe("memory limit raised");
    const kinds = shown.timeline.map((t) => `${t.kind}:${t.actor.name}`);
    expect(kinds).toEqual(expect.arrayContaining(["acknowledged:ana", "resolved:ana", "prevention:ana"]));
    expect(kinds.filter((k) => k.startsWith("acknowledged"))).toHaveLength(1);
    await eventually(() => changes.some((c) => c.id === inc.id && c.kind === "prevention"), 5_000);
    // Acknowledging a resolved incident is refused with the reason; an unknown one is 404.
    const late = await lag(["incident", "ack", inc.id], env());
    expect(late.code).toBe(1);
    expect(late.stderr).toContain("resolved already");
    const none = await lag(["incident", "show", "inc-nothing"], env());
    expect(none.stderr).toContain("404");
  }, 30_000);

  it("silences: matched alerts are recorded but notify no one; start and end are events; they survive a restart", async () => {
    const add = await lag(["silence", "add", "--match", "container=web*", "--for", "1h", "--note", "upgrade"], env());
    expect(add.code, add.stderr).toBe(0);
    const id = /^(sil-[a-z0-9-]+):/.exec(add.stdout)![1]!;
    await eventually(() => silenceEvents.some((e) => e.id === id && e.change === "started"), 5_000, "silence started");
    expect(silenceEvents.some((e) => e.id === id && e.change === "created")).toBe(true);
    await fire("container-down", "web-1", "critical");
    const inc = await incidentOf("web-1");
    await new Promise((r) => setTimeout(r, 1_500));
    expect(notes.some((n) => n.incident.id === inc.id)).toBe(false);
    const shown = jsonOf<Incident>(await lag(["incident", "show", inc.id, "--json"], env()));
    expect(shown.alerts[0]!.silencedBy).toBe(id);
    expect(shown.timeline.some((t) => t.kind === "silenced")).toBe(true);
    // A restart keeps the silence and the open incident.
    await worker!.shutdown("test");
    await start();
    const listed = jsonOf<(Silence & { active: boolean })[]>(await lag(["silence", "list", "--json"], env()));
    expect(listed.find((s) => s.id === id)).toMatchObject({ active: true, matched: 1 });
    expect((await incidentOf("web-1")).id).toBe(inc.id);
    // Expired by hand: the alert notifies now.
    const exp = await lag(["silence", "expire", id], env());
    expect(exp.code, exp.stderr).toBe(0);
    await eventually(() => silenceEvents.some((e) => e.id === id && e.change === "expired"), 5_000, "silence expired");
    await eventually(() => notes.some((n) => n.incident.id === inc.id && n.kind === "opened"), 10_000, "notified once unsilenced");
    const bad = await lag(["silence", "add", "--match", "web", "--for", "1h"], env());
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain("LABEL=GLOB");
  }, 40_000);

  it("a host whose monitor falls silent is itself a critical incident, resolved when it speaks again", async () => {
    await monitor.publish(hostMetrics, { ...hostMetrics.example, host: "ghost" });
    let inc: IncidentSummary | undefined;
    await eventually(
      async () => {
        inc = jsonOf<IncidentSummary[]>(await lag(["incidents", "--json"], env())).find((i) => i.host === "ghost");
        return inc !== undefined;
      },
      15_000,
      "a host-silent incident",
    );
    expect(inc!.severity).toBe("critical");
    expect(inc!.title).toContain("no host metrics from ghost");
    await eventually(() => notes.some((n) => n.incident.id === inc!.id), 5_000);
    await monitor.publish(hostMetrics, { ...hostMetrics.example, host: "ghost" });
    await eventually(
      async () => jsonOf<Incident>(await lag(["incident", "show", inc!.id, "--json"], env())).state === "resolved",
      15_000,
      "resolved after the host spoke",
    );
  }, 40_000);

  it("a decision for a request it never made is ignored and logged", async () => {
    const ceo = await nats.bus("ceo");
    const requestId = randomUUID();
    await ceo.publish(approvalDecided, { ...approvalDecided.example, requestId });
    const line = await log.waitFor((l) => l.msg.includes(requestId) && l.msg.includes("never made"), 10_000);
    expect(line.level).toBe("warn");
  }, 20_000);
});
