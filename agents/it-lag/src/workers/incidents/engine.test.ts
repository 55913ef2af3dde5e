import { describe, expect, it } from "vitest";
import type { Alert, Silence } from "@lag/contracts";
import { DEFAULT_ESCALATE, DEFAULT_INHIBIT } from "./config.ts";
import { IncidentEngine, type Effect, type EngineOptions } from "./engine.ts";

const S = 1_000;
const M = 60 * S;
const T0 = Date.parse("2026-12-01T06:00:00Z");

function engine(over: Partial<EngineOptions> = {}): IncidentEngine {
  let n = 0;
  return new IncidentEngine({
    groupBy: ["host", "object"],
    groupWaitMs: 30 * S,
    resolveAfterMs: 5 * M,
    repeatIntervalMs: 4 * 60 * M,
    hostSilentAfterMs: 35 * S,
    silenceStaleAfterMs: 24 * 60 * M,
    inhibit: DEFAULT_INHIBIT,
    escalate: DEFAULT_ESCALATE,
    worker: "it-incidents",
    random: () => String(++n).padStart(4, "0"),
    ...over,
  });
}

function alertOf(rule: string, labels: Record<string, string>, over: Partial<Alert> = {}): Alert {
  const host = over.host ?? "kronos";
  const fp = `${rule}/${host}/${Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(",")}`;
  return {
    fingerprint: fp,
    rule,
    host,
    status: "firing",
    severity: "high",
    summary: `${rule} ${Object.values(labels).join(" ")}`.trim(),
    source: rule.startsWith("container") ? "container.up" : "fs.used_pct",
    value: 1,
    threshold: 0,
    labels,
    startsAt: new Date(T0).toISOString(),
    repeat: 0,
    ...over,
  };
}
const resolvedOf = (a: Alert): Alert => ({ ...a, status: "resolved" });

const opened = (fx: Effect[]) => fx.filter((e) => e.kind === "opened");
const notified = (fx: Effect[]) => fx.flatMap((e) => (e.kind === "notify" ? [e.notification] : []));
const entries = (fx: Effect[], kind?: string) => fx.flatMap((e) => (e.kind === "entry" && (!kind || e.entry.kind === kind) ? [e] : []));

describe("grouping", () => {
  it("puts 10,000 alerts over 50 fingerprints into exactly 50 incidents", () => {
    const e = engine();
    let incidents = 0;
    for (let i = 0; i < 10_000; i++) {
      const c = i % 50;
      const a = alertOf("container-unhealthy", { container: `app-${c}` }, { repeat: Math.floor(i / 50) });
      incidents += opened(e.alert(i % 7 === 3 ? resolvedOf(a) : a, T0 + i)).length;
    }
    expect(incidents).toBe(50);
    expect(e.openIncidents()).toHaveLength(50);
  });

  it("groups by host and the alert's object: two rules on one container are one incident, another container another", () => {
    const e = engine();
    e.alert(alertOf("container-unhealthy", { container: "immich" }), T0);
    e.alert(alertOf("container-restart-loop", { container: "immich" }), T0 + S);
    e.alert(alertOf("container-unhealthy", { container: "poste" }), T0 + 2 * S);
    e.alert(alertOf("container-unhealthy", { container: "immich" }, { host: "nas" }), T0 + 3 * S);
    const list = e
      .openIncidents()
      .map((i) => `${i.host}:${JSON.stringify(i.group)}:${i.alertCount}`)
      .sort();
    expect(list).toEqual([
      'kronos:{"host":"kronos","container":"immich"}:2',
      'kronos:{"host":"kronos","container":"poste"}:1',
      'nas:{"host":"nas","container":"immich"}:1',
    ]);
  });

  it("keeps a flapping alert in one incident, which resolves only after resolveAfter of quiet", () => {
    const e = engine();
    const a = alertOf("container-unhealthy", { container: "immich" });
    let t = T0;
    for (let i = 0; i < 10; i++) {
      e.alert(a, (t += 30 * S));
      e.tick(t);
      e.alert(resolvedOf(a), (t += 30 * S));
      expect(e.tick(t).some((x) => x.kind === "entry" && x.entry.kind === "resolved")).toBe(false);
    }
    expect(e.openIncidents()).toHaveLength(1);
    expect(e.rawAlertsOf(e.openIncidents()[0]!.id)[0]!.fired).toBe(10);
    expect(entries(e.tick(t + 5 * M - S), "resolved")).toHaveLength(0);
    const done = e.tick(t + 5 * M);
    expect(entries(done, "resolved")).toHaveLength(1);
    expect(e.openIncidents()).toHaveLength(0);
    // Firing again after it resolved is a new incident.
    expect(opened(e.alert(a, t + 6 * M))).toHaveLength(1);
  });
});

describe("notifications", () => {
  it("wait for the group wait, so a burst is one notification; critical ones go at once", () => {
    const e = engine();
    const fx = e.alert(alertOf("disk-high", { mount: "/mnt/storage" }), T0);
    expect(notified(fx)).toEqual([]);
    expect(notified(e.tick(T0 + 29 * S))).toEqual([]);
    const n = notified(e.tick(T0 + 30 * S));
    expect(n).toHaveLength(1);
    expect(n[0]).toMatchObject({ kind: "opened", title: "[high] kronos: disk-high /mnt/storage" });
    expect(notified(e.tick(T0 + 31 * S))).toEqual([]);
    const critical = notified(e.alert(alertOf("check-down", { check: "web" }, { severity: "critical" }), T0 + 40 * S));
    expect(critical.map((x) => x.kind)).toEqual(["opened"]);
  });

  it("repeat every repeatInterval until acknowledged, then stop", () => {
    const e = engine({ repeatIntervalMs: 10 * M });
    e.alert(alertOf("disk-high", { mount: "/" }), T0);
    e.tick(T0 + 30 * S);
    expect(notified(e.tick(T0 + 30 * S + 10 * M)).map((x) => x.kind)).toEqual(["repeat"]);
    const id = e.openIncidents()[0]!.id;
    e.acknowledge(id, "ana", "on it", T0 + 11 * M);
    expect(notified(e.tick(T0 + 30 * S + 20 * M))).toEqual([]);
    expect(e.openIncidents()[0]!.acknowledged).toMatchObject({ by: "ana", note: "on it" });
  });
});

describe("inhibition", () => {
  it("Docker unreachable inhibits that host's container alerts, which are still recorded; they notify once it resolves", () => {
    const e = engine();
    const docker = alertOf("docker-down", {}, { severity: "medium" });
    e.alert(docker, T0);
    const fx = e.alert(alertOf("container-down", { container: "immich" }), T0 + S);
    expect(entries(fx, "inhibited")).toHaveLength(1);
    const onOtherHost = e.alert(alertOf("container-down", { container: "immich" }, { host: "nas" }), T0 + S);
    expect(entries(onOtherHost, "inhibited")).toHaveLength(0);
    const n = notified(e.tick(T0 + 31 * S));
    expect(n.map((x) => x.incident.group)).toEqual([
      { host: "kronos", rule: "docker-down" },
      { host: "nas", container: "immich" },
    ]);
    e.alert(resolvedOf(docker), T0 + 40 * S);
    expect(notified(e.tick(T0 + 41 * S)).map((x) => x.incident.group)).toEqual([{ host: "kronos", container: "immich" }]);
  });

  it("a host whose monitor falls silent is an alert (critical), which inhibits everything else of that host", () => {
    const e = engine();
    e.hostSeen("kronos", T0);
    e.alert(alertOf("disk-high", { mount: "/" }), T0 + S);
    const silent = e.tick(T0 + 35 * S);
    expect(opened(silent).map((x) => x.alert.rule)).toEqual(["host-silent"]);
    expect(notified(silent).map((x) => x.incident.severity)).toEqual(["critical"]);
    expect(entries(silent, "inhibited").map((x) => x.incident.group)).toEqual([{ host: "kronos", mount: "/" }]);
    const back = e.hostSeen("kronos", T0 + 60 * S);
    expect(entries(back, "alert-resolved")).toHaveLength(1);
  });
});

describe("silences", () => {
  const silence = (over: Partial<Silence> = {}): Silence => ({
    id: "sil-1",
    matchers: { container: "immich" },
    startsAt: new Date(T0).toISOString(),
    endsAt: new Date(T0 + 2 * 60 * M).toISOString(),
    createdBy: "ana",
    note: "upgrade",
    createdAt: new Date(T0).toISOString(),
    matched: 0,
    ...over,
  });

  it("record matched alerts but notify no one, announce start and end, and count what they matched", () => {
    const e = engine();
    const start = e.addSilence(silence(), T0);
    expect(start.filter((x) => x.kind === "silence").map((x) => (x as { change: string }).change)).toEqual(["started"]);
    const fx = e.alert(alertOf("container-unhealthy", { container: "immich" }), T0 + M);
    expect(entries(fx, "silenced")).toHaveLength(1);
    expect(notified(e.tick(T0 + 2 * M))).toEqual([]);
    expect(e.silencesList()[0]!.matched).toBe(1);
    const end = e.tick(T0 + 2 * 60 * M);
    expect(end.filter((x) => x.kind === "silence").map((x) => (x as { change: string }).change)).toEqual(["ended"]);
    // Over: the alert that still fires notifies now.
    expect(notified(end).map((x) => x.kind)).toEqual(["opened"]);
  });

  it("flag a silence that has matched nothing for silenceStaleAfter", () => {
    const e = engine({ silenceStaleAfterMs: 60 * M });
    e.addSilence(silence({ endsAt: new Date(T0 + 10 * 60 * M).toISOString() }), T0);
    expect(e.tick(T0 + 59 * M).filter((x) => x.kind === "silence")).toEqual([]);
    const stale = e.tick(T0 + 60 * M).filter((x) => x.kind === "silence");
    expect(stale.map((x) => (x as { change: string }).change)).toEqual(["stale"]);
  });
});

describe("severity", () => {
  it("comes from the alerts, and is raised when an incident spreads: three containers of one host", () => {
    const e = engine();
    e.alert(alertOf("container-down", { container: "a" }), T0);
    e.alert(alertOf("container-down", { container: "b" }), T0 + S);
    expect(e.openIncidents().every((i) => i.severity === "high")).toBe(true);
    const fx = e.alert(alertOf("container-down", { container: "c" }), T0 + 2 * S);
    expect(e.openIncidents().map((i) => i.severity)).toEqual(["critical", "critical", "critical"]);
    expect(entries(fx, "severity")[0]!.entry.actor).toEqual({ kind: "policy", name: "containers-spreading" });
    expect(entries(fx, "severity")[0]!.entry.note).toMatch(/3 containers of kronos are failing \(a, b, c\)/);
    // Critical: notified at once.
    expect(notified(fx)).toHaveLength(3);
  });
});

describe("people and the protocol", () => {
  it("takes an incident through its states, each an entry with its actor; a person can resolve it", () => {
    const e = engine();
    e.alert(alertOf("disk-high", { mount: "/" }), T0);
    const id = e.openIncidents()[0]!.id;
    expect(entries(e.transition(id, "analysing", { kind: "worker", name: "it-incidents" }, "looking", T0 + S))[0]!.entry).toMatchObject({
      kind: "state",
      data: { state: "analysing" },
    });
    expect(e.note(id, { kind: "person", name: "ana" }, "moved photos", true, T0 + 2 * S)[0]).toMatchObject({
      entry: { kind: "prevention" },
    });
    const done = e.transition(id, "resolved", { kind: "person", name: "ana" }, "freed space", T0 + 3 * S);
    expect(entries(done, "resolved")[0]!.incident).toMatchObject({
      state: "resolved",
      resolution: "freed space",
      prevention: "moved photos",
    });
    expect(e.openIncidents()).toEqual([]);
  });
});
