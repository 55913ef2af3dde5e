import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EnvelopeType as Envelope } from "@lag/contracts";
import type { ApprovalRecord, DailyReport, Incident, IncidentSummary } from "@lag/contracts";
import {
  dockerCli,
  ensureBusyboxImage,
  eventually,
  removeContainers,
  runHealthCheckedContainer,
  startTestNats,
  testContainerPrefix,
  type TestNats,
} from "@lag/testing";
import { jsonOf } from "../packages/cli/test/run-lag.fixture.ts";
import { startedAt, startIncidentSystem, type IncidentSystem } from "./incidents.fixture.ts";

/**
 * An incident's whole life on real parts: a real container turns unhealthy, the monitor alerts,
 * the incident worker opens one incident and proposes restarting it, CEO_LAG decides, the
 * container is restarted, turns healthy, and the incident resolves — all visible through `lag`.
 */
const prefix = testContainerPrefix("incidents");
let image: string;

/** A container whose health check passes while /tmp/ok exists; starting it creates the file. */
async function healthy(name: string): Promise<void> {
  await runHealthCheckedContainer(name, image);
  await eventually(async () => (await dockerCli(["inspect", "-f", "{{.State.Health.Status}}", name])).stdout.trim() === "healthy", 20_000);
}

const breakIt = (name: string) => dockerCli(["exec", name, "rm", "-f", "/tmp/ok"]);

async function openIncidentOf(sys: IncidentSystem, container: string): Promise<IncidentSummary> {
  let found: IncidentSummary | undefined;
  await eventually(
    async () => {
      const list = jsonOf<IncidentSummary[]>(await sys.lag(["incidents", "--json"]));
      found = list.find((i) => i.group.container === container);
      return found !== undefined;
    },
    30_000,
    `an incident for ${container}`,
  );
  return found!;
}

beforeAll(async () => {
  image = await ensureBusyboxImage();
}, 120_000);
afterAll(async () => {
  await removeContainers(prefix);
});

describe("the default policy approves a restart", () => {
  let nats: TestNats;
  let sys: IncidentSystem;
  const name = `${prefix}auto`;
  beforeAll(async () => {
    nats = await startTestNats();
    await healthy(name);
    sys = await startIncidentSystem(nats, "inctest", prefix);
  }, 90_000);
  afterAll(async () => {
    await sys?.stop();
    await nats?.stop();
  });

  let chained: { incident: string; request: string } | undefined;

  it("one incident, restarted by policy, healthy again, resolved — and the timeline tells it", async () => {
    const before = await startedAt(name);
    await breakIt(name);
    const inc = await openIncidentOf(sys, name);
    expect(inc.severity).toBe("high");
    // restarted through the Docker API, and the restart made it healthy (its command recreates /tmp/ok)
    await eventually(async () => (await startedAt(name)) !== before, 60_000, "the container restarted");
    let shown: Incident | undefined;
    await eventually(
      async () => {
        shown = jsonOf<Incident>(await sys.lag(["incident", "show", inc.id, "--json"]));
        return shown.state === "resolved";
      },
      60_000,
      "the incident resolved",
    );
    const kinds = shown!.timeline.map((t) => t.kind);
    for (const k of ["opened", "runbook-proposed", "approval", "runbook-started", "runbook-finished", "alert-resolved", "resolved"])
      expect(kinds, JSON.stringify(shown!.timeline, null, 1)).toContain(k);
    expect(kinds.indexOf("approval")).toBeLessThan(kinds.indexOf("runbook-started"));
    const approval = shown!.timeline.find((t) => t.kind === "approval")!;
    expect(approval.actor).toEqual({ kind: "policy", name: "restarts-are-safe" });
    expect(shown!.runbook?.status).toBe("done");
    // States in the blueprint's order.
    const states = shown!.timeline.filter((t) => t.kind === "state").map((t) => t.data?.state);
    expect(states).toEqual(["analysing", "fixing", "verifying"]);
    // A single incident, even though the alert repeated while it was open.
    const all = jsonOf<IncidentSummary[]>(await sys.lag(["incidents", "--all", "--json"]));
    expect(all.filter((i) => i.group.container === name)).toHaveLength(1);
    // The approval is in CEO_LAG's audit with its rule and channel.
    const record = jsonOf<ApprovalRecord>(await sys.lag(["approvals", "show", shown!.runbook!.requestId, "--json"]));
    expect(record.state).toBe("approved");
    expect(record.decision).toMatchObject({ channel: "policy", rule: "restarts-are-safe", by: { kind: "policy" } });
    // The incident stream carried it; a person was told it opened and resolved.
    expect(sys.changes.filter((c) => c.id === inc.id).map((c) => c.kind)).toEqual(expect.arrayContaining(["opened", "resolved"]));
    expect(sys.notifications.filter((n) => n.incident.id === inc.id).map((n) => n.kind)).toEqual(
      expect.arrayContaining(["opened", "resolved"]),
    );
    // `lag incident show` prints the same story for a person.
    const text = await sys.lag(["incident", "show", inc.id]);
    expect(text.stdout).toContain("restart-container");
    expect(text.stdout).toContain("policy:restarts-are-safe");
    chained = { incident: inc.id, request: shown!.runbook!.requestId };
  }, 150_000);

  it("carries the chain on every event: the incident's id as correlation, the alert and the decision as causes", async () => {
    if (!chained) throw new Error("the flow above did not finish");
    const { incident, request } = chained;
    const read = async (stream: string) => {
      const c = await sys.watcher.js.consumers.get(stream);
      const out: Envelope[] = [];
      for (;;) {
        const m = await c.next({ expires: 1_000 });
        if (!m) return out;
        out.push(m.json<Envelope>());
      }
    };
    const [alerts, incidents, approvals] = await Promise.all([read("LAG_IT"), read("LAG_IT_INCIDENTS"), read("LAG_APPROVALS")]);
    const ofIncident = incidents.filter((e) => (e.data as { incident?: { id?: string } }).incident?.id === incident);
    expect(ofIncident.length).toBeGreaterThan(5);
    for (const e of ofIncident) expect(e.correlationid, e.type).toBe(incident);
    // The incident was opened by an alert that is in LAG_IT.
    const opened = ofIncident.find((e) => (e.data as { entry: { kind: string } }).entry?.kind === "opened")!;
    expect(alerts.map((e) => e.id)).toContain(opened.causationid);
    // The request, CEO_LAG's decision on it, and the incident's approval entry that the decision caused.
    const asked = approvals.find((e) => (e.data as { id?: string }).id === request)!;
    expect(asked).toMatchObject({ id: `req-${request}`, correlationid: incident });
    const decided = approvals.find((e) => (e.data as { requestId?: string }).requestId === request)!;
    expect(decided).toMatchObject({ id: `dec-${request}`, correlationid: incident });
    const approvalEntry = ofIncident.find((e) => (e.data as { entry: { kind: string } }).entry?.kind === "approval")!;
    expect(approvalEntry.causationid).toBe(`dec-${request}`);
  });

  it("`lag trace` prints the whole chain in order, from the incident's id or the request's, and says so for an unknown id", async () => {
    if (!chained) throw new Error("the flow above did not finish");
    const r = await sys.lag(["trace", chained.incident]);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split("\n");
    const at = (step: RegExp) => {
      const i = lines.findIndex((l) => step.test(l));
      expect(i, `${step} in:\n${r.stdout}`).toBeGreaterThan(0);
      return i;
    };
    const alert = at(/it-monitor\s+alert firing container-unhealthy/);
    const opened = at(/it-incidents\s+incident opened/);
    // The request and its timeline entry are written together (same millisecond, either first).
    const requested = at(/it-incidents\s+approval requested by it-incidents: restart-container/);
    const proposed = at(/it-incidents\s+incident runbook-proposed/);
    const approved = at(/ceo\s+approval approved by policy:restarts-are-safe via policy/);
    const entry = at(/it-incidents\s+incident approval \(policy:restarts-are-safe\)/);
    const started = at(/it-incidents\s+incident runbook-started/);
    const finished = at(/it-incidents\s+incident runbook-finished/);
    const resolved = at(/it-incidents\s+incident resolved/);
    expect(alert).toBeLessThan(opened);
    expect(opened).toBeLessThan(Math.min(requested, proposed));
    expect(Math.max(requested, proposed)).toBeLessThan(approved);
    expect([approved, entry, started, finished, resolved]).toEqual([approved, entry, started, finished, resolved].sort((a, b) => a - b));
    const byRequest = jsonOf<{ id: string }[]>(await sys.lag(["trace", chained.request, "--json"]));
    expect(byRequest.map((e) => e.id)).toContain(`dec-${chained.request}`);
    // --since reads only what was stored since: the last hour has the whole chain, the last second none of it.
    const recent = jsonOf<{ id: string }[]>(await sys.lag(["trace", chained.request, "--json", "--since", "1h"]));
    expect(recent.map((e) => e.id)).toEqual(byRequest.map((e) => e.id));
    const tooRecent = await sys.lag(["trace", chained.request, "--since", "1s"]);
    expect(tooRecent.code).toBe(1);
    expect(tooRecent.stderr).toMatch(/\(since 1s\)$/m);
    const unknown = await sys.lag(["trace", "inc-nothing-like-it"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /no incident, approval or event inc-nothing-like-it in LAG_IT, LAG_IT_INCIDENTS, LAG_IT_BACKUPS, .*LAG_APPROVALS$/m,
    );
  });

  it("publishes the daily report, which CEO_LAG keeps and `lag reports --weekly` shows", async () => {
    let r: { daily?: DailyReport; weekly?: { days: number; incidents: { opened: number } }; kept: number } | undefined;
    await eventually(
      async () => {
        r = jsonOf(await sys.lag(["reports", "--weekly", "--json"]));
        return (r?.daily?.incidents.opened ?? 0) >= 1 && r?.daily?.health.some((h) => h.host === "inctest") === true;
      },
      30_000,
      "a daily report counting the incident",
    );
    const d = r!.daily!;
    expect(d.health.find((h) => h.host === "inctest")!.health).not.toBe("unknown");
    expect(d.storage.length).toBeGreaterThan(0);
    expect(d.measures.bySeverity.find((m) => m.severity === "high")?.mttrSec).not.toBeNull();
    expect(d.approvals.pending).toBe(0);
    // Everything answered but it-backup, it-subscriptions and it-maintenance, which this system does not run (their own tests have them).
    expect(d.sections.missing?.lines).toEqual([
      expect.stringMatching(/^backups: it-backup did not answer/),
      expect.stringMatching(/^subscriptions: it-subscriptions did not answer/),
      expect.stringMatching(/^maintenance: it-maintenance did not answer/),
    ]);
    // Each check's uptime, asked of the host's monitor.
    expect(d.sections.uptime?.lines[0]).toMatch(/^inctest\/nats: 24 h 100 %, 7 d 100 %, 30 d 100 %; p95 [\d.]+ ms$/);
    expect(r!.weekly!.days).toBe(1);
    expect(r!.weekly!.incidents.opened).toBe(d.incidents.opened);
    const text = await sys.lag(["reports"]);
    expect(text.stdout).toContain(`IT report for ${d.day}`);
  }, 60_000);
});

describe("a policy that asks", () => {
  let nats: TestNats;
  let sys: IncidentSystem;
  const asked = `${prefix}ask`;
  const refused = `${prefix}deny`;
  const late = `${prefix}-expire`;
  beforeAll(async () => {
    nats = await startTestNats();
    await Promise.all([healthy(asked), healthy(refused), healthy(late)]);
    sys = await startIncidentSystem(nats, "inctest", prefix, "  approvals:\n    rules: []\n    default: ask");
  }, 90_000);
  afterAll(async () => {
    await sys?.stop();
    await nats?.stop();
  });

  async function pendingFor(container: string): Promise<ApprovalRecord> {
    let rec: ApprovalRecord | undefined;
    await eventually(
      async () => {
        const list = jsonOf<ApprovalRecord[]>(await sys.lag(["approvals", "--json"]));
        rec = list.find((r) => r.request.action.kind === "restart-container" && r.request.action.params.container === container);
        return rec !== undefined;
      },
      30_000,
      `a pending approval for ${container}`,
    );
    return rec!;
  }

  it("restarts nothing until a person approves with `lag approvals approve`", async () => {
    const before = await startedAt(asked);
    await breakIt(asked);
    const rec = await pendingFor(asked);
    expect(rec.state).toBe("pending");
    expect(rec.policy).toEqual({ rule: "default", said: "ask" });
    expect(rec.request.evidence.summary).toContain(asked);
    // Waiting: the alert keeps repeating, the container is left alone.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(await startedAt(asked)).toBe(before);
    const r = await sys.lag(["approvals", "approve", rec.request.id, "--note", "go ahead"]);
    expect(r.code, r.stderr).toBe(0);
    await eventually(async () => (await startedAt(asked)) !== before, 60_000, "the container restarted after the approval");
    const shown = jsonOf<ApprovalRecord>(await sys.lag(["approvals", "show", rec.request.id, "--json"]));
    expect(shown.decision).toMatchObject({ decision: "approved", by: { kind: "person", name: "ana" }, channel: "cli", note: "go ahead" });
    // Approving again changes nothing and says so.
    const again = await sys.lag(["approvals", "approve", rec.request.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already approved");
  }, 150_000);

  it("a denial leaves the container alone, and the incident asks a person", async () => {
    const before = await startedAt(refused);
    await breakIt(refused);
    const rec = await pendingFor(refused);
    const r = await sys.lag(["approvals", "deny", rec.request.id, "--note", "not now"]);
    expect(r.code, r.stderr).toBe(0);
    const inc = rec.request.links.incident!;
    await eventually(
      async () => jsonOf<Incident>(await sys.lag(["incident", "show", inc, "--json"])).timeline.some((t) => t.kind === "escalated"),
      30_000,
      "the incident escalated",
    );
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await startedAt(refused)).toBe(before);
    const shown = jsonOf<Incident>(await sys.lag(["incident", "show", inc, "--json"]));
    expect(shown.runbook?.status).toBe("denied");
    expect(sys.notifications.some((n) => n.incident.id === inc && n.kind === "escalated" && n.needsPerson)).toBe(true);
  }, 120_000);

  it("an expired request is a denial: the container is left alone and a person is asked", async () => {
    const before = await startedAt(late);
    await breakIt(late);
    const inc = await openIncidentOf(sys, late);
    let shown: Incident | undefined;
    await eventually(
      async () => {
        shown = jsonOf<Incident>(await sys.lag(["incident", "show", inc.id, "--json"]));
        return shown.runbook?.status === "expired";
      },
      30_000,
      "the request expired",
    );
    const approval = shown!.timeline.find((t) => t.kind === "approval")!;
    expect(approval.note).toContain("expired");
    expect(shown!.timeline.some((t) => t.kind === "escalated")).toBe(true);
    const record = jsonOf<ApprovalRecord>(await sys.lag(["approvals", "show", shown!.runbook!.requestId, "--json"]));
    expect(record.decision).toMatchObject({ decision: "expired", by: { kind: "system", name: "expiry" }, channel: "expiry" });
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await startedAt(late)).toBe(before);
  }, 120_000);
});
