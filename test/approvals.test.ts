import { randomUUID } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listDeadLetters, ServiceError, type Bus } from "@lag/bus";
import { ceoWorker } from "@lag/ceo-lag";
import { approvalDecided, approvalRequests, approvalsService, type ApprovalDecision, type ApprovalRequest } from "@lag/contracts";
import { eventually, memoryLogger, startTestNats, type TestNats } from "@lag/testing";
import { startWorker, type RunningWorker } from "@lag/worker";

/**
 * CEO_LAG's approvals against a real NATS server and the real worker: nothing sent while it is
 * down is lost or decided twice, the policy and the budget decide, expiry denies, bad requests are
 * refused with a reason.
 */
let nats: TestNats;
let requester: Bus;
let watcher: Bus;
let config: string;
const decisions: ApprovalDecision[] = [];
let ceo: RunningWorker | undefined;
const ceoLog = memoryLogger("ceo");

const CEO_YAML = `  approvals:
    rules:
      - { name: restarts-are-safe, action: [restart-container], risk: [low], decide: approve }
      - { name: small-spend, action: [prune-docker], maxCost: { amount: 10, currency: EUR }, decide: approve }
      - { name: never-high, risk: [high], decide: deny, note: high risk is for people on call }
    default: ask
    budget: [{ currency: EUR, monthly: 10 }]
    expiryCheck: 200ms`;

function request(over: Partial<ApprovalRequest> = {}): ApprovalRequest {
  const now = Date.now();
  return {
    id: randomUUID(),
    requester: "it-incidents",
    action: { kind: "restart-container", params: { host: "kronos", container: "immich" } },
    reason: "container immich is unhealthy",
    risk: "low",
    requestedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 600_000).toISOString(),
    links: {},
    evidence: { summary: "restart container immich on kronos", observed: ["unhealthy since 06:12"] },
    labels: {},
    ...over,
  };
}

const startCeo = async () => {
  ceo = await startWorker(ceoWorker, { env: { LAG_CONFIG: config, NATS_URL: nats.url }, logger: ceoLog.logger });
};
const decisionFor = (id: string) =>
  eventually(() => decisions.find((d) => d.requestId === id), 15_000, `a decision for ${id}`).then(
    () => decisions.find((d) => d.requestId === id)!,
  );

beforeAll(async () => {
  nats = await startTestNats();
  await nats.provisionStreams();
  const dir = mkdtempSync(join(tmpdir(), "lag-approvals-"));
  config = join(dir, "lag.yaml");
  writeFileSync(config, `dataDir: ${dir}\nceo:\n${CEO_YAML}\n`);
  requester = await nats.bus("it-incidents");
  watcher = await nats.bus("cli");
  watcher.subscribe(approvalDecided, (d) => void decisions.push(d.data));
  await watcher.nc.flush();
}, 60_000);
afterAll(async () => {
  await ceo?.shutdown("test");
  await nats?.stop();
});

describe("CEO_LAG's approval inbox", () => {
  it("keeps every request sent while it was down, once, and decides each once", async () => {
    const sent = Array.from({ length: 100 }, () => request());
    for (const q of sent) await requester.publish(approvalRequests["it-incidents"], q);
    // The same request sent again (a requester that retried) is one request.
    for (const q of sent.slice(0, 10)) await requester.publish(approvalRequests["it-incidents"], q);
    await startCeo();
    const list = async () => (await watcher.request(approvalsService.endpoints.list, { limit: 1000 })).approvals;
    await eventually(async () => (await list()).length === 100, 30_000, "100 requests in the inbox");
    const records = await list();
    expect(new Set(records.map((r) => r.request.id))).toEqual(new Set(sent.map((q) => q.id)));
    expect(records.every((r) => r.state === "approved" && r.policy.rule === "restarts-are-safe")).toBe(true);
    await eventually(() => new Set(decisions.map((d) => d.requestId)).size >= 100, 15_000, "100 decisions");
    // Restarted, it decides nothing again.
    await ceo!.shutdown("test");
    await startCeo();
    await new Promise((r) => setTimeout(r, 1_000));
    const ofThese = decisions.filter((d) => sent.some((q) => q.id === d.requestId));
    expect(ofThese).toHaveLength(100);
  }, 90_000);

  it("policy: the first matching rule decides; unmatched requests wait for a person, who decides once", async () => {
    const denied = request({ risk: "high" });
    await requester.publish(approvalRequests["it-incidents"], denied);
    const d = await decisionFor(denied.id);
    expect(d).toMatchObject({
      decision: "denied",
      by: { kind: "policy", name: "never-high" },
      channel: "policy",
      note: expect.stringContaining("on call"),
    });

    const asked = request({ risk: "medium" });
    await requester.publish(approvalRequests["it-incidents"], asked);
    await eventually(async () => {
      const r = await watcher.request(approvalsService.endpoints.show, { id: asked.id }).catch(() => undefined);
      return r?.state === "pending";
    }, 10_000);
    const first = await watcher.request(approvalsService.endpoints.decide, { id: asked.id, decision: "deny", by: "ana", note: "later" });
    expect(first.decidedNow).toBe(true);
    expect(first.decision).toMatchObject({ decision: "denied", by: { kind: "person", name: "ana" }, channel: "cli", rule: "default" });
    const second = await watcher.request(approvalsService.endpoints.decide, { id: asked.id, decision: "approve", by: "bob" });
    expect(second.decidedNow).toBe(false);
    expect(second.state).toBe("denied");
    expect(second.decision?.by.name).toBe("ana");
    await new Promise((r) => setTimeout(r, 500));
    expect(decisions.filter((x) => x.requestId === asked.id)).toHaveLength(1);
  }, 30_000);

  it("budget: an auto-approval that would go over this month's budget goes to a person", async () => {
    const prune = { kind: "prune-docker" as const, params: { host: "kronos" } };
    const a = request({ action: prune, cost: { amount: 6, currency: "EUR" } });
    await requester.publish(approvalRequests["it-incidents"], a);
    expect((await decisionFor(a.id)).decision).toBe("approved");
    const b = request({ action: prune, cost: { amount: 6, currency: "EUR" } });
    await requester.publish(approvalRequests["it-incidents"], b);
    await eventually(
      async () => (await watcher.request(approvalsService.endpoints.show, { id: b.id }).catch(() => undefined)) !== undefined,
      10_000,
    );
    const rb = await watcher.request(approvalsService.endpoints.show, { id: b.id });
    expect(rb.state).toBe("pending");
    expect(rb.policy).toMatchObject({ rule: "budget", said: "ask" });
    expect(rb.policy.note).toContain("4 left");
    const budget = await watcher.request(approvalsService.endpoints.budget, {});
    expect(budget.lines).toEqual([{ currency: "EUR", limit: 10, spent: 6, left: 4 }]);
  }, 30_000);

  it("expiry is a denial, recorded and published", async () => {
    const q = request({ risk: "medium", expiresAt: new Date(Date.now() + 1_000).toISOString() });
    await requester.publish(approvalRequests["it-incidents"], q);
    const d = await decisionFor(q.id);
    expect(d).toMatchObject({ decision: "expired", by: { kind: "system", name: "expiry" }, channel: "expiry" });
    expect((await watcher.request(approvalsService.endpoints.show, { id: q.id })).state).toBe("expired");
  }, 30_000);

  it("the requester withdraws a pending request; nobody else may", async () => {
    const q = request({ risk: "medium" });
    await requester.publish(approvalRequests["it-incidents"], q);
    await eventually(
      async () => (await watcher.request(approvalsService.endpoints.show, { id: q.id }).catch(() => undefined)) !== undefined,
      10_000,
    );
    const wrong = await watcher
      .request(approvalsService.endpoints.cancel, { id: q.id, requester: "media", reason: "mine" })
      .catch((e) => e);
    expect(wrong).toBeInstanceOf(ServiceError);
    expect((wrong as ServiceError).status).toBe(403);
    const r = await requester.request(approvalsService.endpoints.cancel, { id: q.id, requester: "it-incidents", reason: "resolved" });
    expect(r.state).toBe("cancelled");
    expect((await decisionFor(q.id)).decision).toBe("cancelled");
  }, 30_000);

  it("bad input: a malformed or mismatched request is dead-lettered with its reason, a bad call answered naming the field", async () => {
    // Breaks the contract: no evidence.
    const { evidence: _e, ...broken } = request();
    const env = {
      specversion: "1.0",
      id: randomUUID(),
      type: approvalRequests["it-incidents"].type,
      source: "/test",
      time: new Date().toISOString(),
      datacontenttype: "application/json",
      data: broken,
    };
    await requester.nc.request(approvalRequests["it-incidents"].subject, JSON.stringify(env)).catch(() => undefined);
    // Valid by the contract, but names a requester other than the one whose subject it came on.
    const lying = request({ requester: "media" });
    await requester.publish(approvalRequests["it-incidents"], lying);
    await eventually(
      async () => {
        const l = await listDeadLetters(watcher, { limit: 50, subject: "lag.it.approval.>" });
        return (
          l.entries.some((e) => e.code === "invalid-data" && e.reason?.includes("evidence")) &&
          l.entries.some((e) => e.code === "rejected" && e.reason?.includes("media"))
        );
      },
      20_000,
      "both dead-lettered",
    );
    const unknown = await watcher.request(approvalsService.endpoints.show, { id: lying.id }).catch((e) => e);
    expect((unknown as ServiceError).status).toBe(404);
    const bad = await watcher.nc.request(
      approvalsService.endpoints.decide.subject,
      JSON.stringify({ id: "x", decision: "maybe", by: "ana" }),
    );
    expect(bad.headers?.get("Nats-Service-Error-Code")).toBe("400");
    expect(bad.headers?.get("Nats-Service-Error")).toContain("decision");
  }, 30_000);
});
