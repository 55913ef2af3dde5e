import { randomUUID } from "node:crypto";
import type { Clock } from "@lag/async";
import {
  approvalChain,
  approvalDecisionEventId,
  approvalRequests,
  type Actor,
  type Alert,
  type ApprovalDecisionType,
  type ApprovalRequest,
  type IncidentState,
  type IncidentSummary,
  type TimelineKind,
} from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import { compileMatch } from "../../label-match.ts";
import type { DockerEngine } from "../../docker/engine.ts";
import type { RunbookRule } from "./config.ts";
import { alertLabels } from "./grouping.ts";
import { runbookFor, type RunbookKind } from "./runbooks/registry.ts";
import type { ActionRow, IncidentStore } from "./store/incident-store.ts";

/** How the desk writes to an incident's timeline and moves its state (the worker's shell does the storing and publishing). */
export interface IncidentWriter {
  /** Runs `fn` with `eventId` as the cause of the incident events it produces. */
  causedBy<T>(eventId: string, fn: () => T): T;
  record(id: string, kind: TimelineKind, by: Actor, note: string, data?: Record<string, unknown>, patch?: Partial<IncidentSummary>): void;
  transition(id: string, state: IncidentState, by: Actor, note: string): void;
  isOpen(id: string): boolean;
}

export interface DeskOptions {
  store: IncidentStore;
  outbox: Outbox;
  incidents: IncidentWriter;
  rules: readonly RunbookRule[];
  host: string;
  docker: DockerEngine;
  log: Logger;
  clock: Clock;
  signal: AbortSignal;
  worker: string;
}

const actorOf = (d: ApprovalDecisionType): Actor => ({ kind: d.by.kind === "person" ? "person" : "policy", name: d.by.name });

/**
 * Runbooks behind approvals. An incident whose alert has a runbook gets a proposal: an approval
 * request to CEO_LAG for exactly that action. The action runs only when the decision for that
 * request says approved, and at most once: its row moves proposed → approved → running → done |
 * failed in the store, each move allowed only from the state before, so a second decision or a
 * redelivered one changes nothing. Found `running` at start, the worker stopped in the middle: it is
 * marked interrupted and never run again, and a person is asked to look.
 */
export class ActionDesk {
  private readonly rules: { rule: RunbookRule; match: ReturnType<typeof compileMatch> }[];
  private readonly self: Actor;

  constructor(private readonly o: DeskOptions) {
    this.rules = o.rules.map((rule) => ({ rule, match: compileMatch(rule.match) }));
    this.self = { kind: "worker", name: o.worker };
  }

  ruleFor(a: Alert): RunbookRule | undefined {
    const labels = alertLabels(a);
    return this.rules.find((r) => r.match(labels))?.rule;
  }

  /** Proposes the runbook for an incident's alert, if there is one: an approval request, durably. */
  propose(incident: IncidentSummary, alert: Alert, details: Record<string, string> = {}): void {
    const rule = this.ruleFor(alert);
    if (!rule) return;
    const runbook = runbookFor(rule.action);
    const p = runbook.propose(incident, alert, this.o.host);
    if ("cannot" in p) {
      this.o.incidents.record(incident.id, "note", this.self, `runbook ${rule.action} cannot act: ${p.cannot}`);
      return;
    }
    const now = this.o.clock.now();
    const request: ApprovalRequest = {
      id: randomUUID(),
      requester: "it-incidents",
      action: p.action,
      reason: p.reason,
      risk: rule.risk,
      requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + rule.approvalTimeout).toISOString(),
      links: { incident: incident.id, correlationId: incident.id },
      evidence: { ...p.evidence, ...(Object.keys(details).length > 0 ? { details: { ...p.evidence.details, ...details } } : {}) },
      labels: p.labels ?? {},
      ...(p.cost ? { cost: p.cost } : {}),
    };
    this.o.store.addAction({
      requestId: request.id,
      incidentId: incident.id,
      kind: p.action.kind,
      params: p.action.params,
      status: "proposed",
      verifyTimeoutMs: rule.verifyTimeout,
      updatedAt: now.getTime(),
    });
    // Its envelope id is derived from the request's, so what CEO_LAG publishes on it can name it as the cause.
    this.o.outbox.add(approvalRequests["it-incidents"], request, approvalChain.request(request));
    this.o.incidents.record(
      incident.id,
      "runbook-proposed",
      this.self,
      `proposed ${p.action.kind}: ${p.evidence.summary}; approval ${request.id} asked of CEO_LAG (risk ${rule.risk}, expires ${request.expiresAt})`,
      { requestId: request.id, action: p.action },
      { runbook: { action: p.action.kind, requestId: request.id, status: "proposed" } },
    );
    this.o.incidents.transition(incident.id, "analysing", this.self, `waiting for the decision on ${p.action.kind}`);
  }

  /** A decision from CEO_LAG. Only for a request this worker made, and only the first one counts. */
  async decided(d: ApprovalDecisionType): Promise<void> {
    const row = this.o.store.action(d.requestId);
    if (!row) {
      this.o.log.warn(
        { requestId: d.requestId, decision: d.decision },
        `decision for request ${d.requestId}, which this worker never made: ignored`,
      );
      return;
    }
    const now = this.o.clock.now().getTime();
    if (!this.o.store.moveAction(d.requestId, ["proposed"], d.decision, now, { decision: d })) {
      this.o.log.info(
        { requestId: d.requestId, decision: d.decision, status: row.status },
        "a second decision for a request already decided: ignored",
      );
      return;
    }
    const how = `${d.decision} by ${d.by.kind} ${d.by.name} (${d.channel}${d.rule ? `, rule ${d.rule}` : ""})${d.note ? `: ${d.note}` : ""}`;
    // CEO_LAG's decision event has a derived id (dec-<request>): the cause of the incident's approval entry.
    this.o.incidents.causedBy(approvalDecisionEventId(d.requestId), () =>
      this.o.incidents.record(
        row.incidentId,
        "approval",
        actorOf(d),
        `${row.kind} ${how}`,
        { requestId: d.requestId, decision: d.decision },
        {
          runbook: { action: row.kind, requestId: d.requestId, status: d.decision },
        },
      ),
    );
    if (d.decision === "approved") await this.run({ ...row, status: "approved" });
    else this.o.incidents.record(row.incidentId, "escalated", this.self, `${row.kind} was not run: ${how}; a person must act`);
  }

  /** At start: an action left running was interrupted (never run again); one approved but not started runs now. */
  async recover(): Promise<void> {
    const now = this.o.clock.now().getTime();
    for (const row of this.o.store.actionsIn(["running"])) {
      if (!this.o.store.moveAction(row.requestId, ["running"], "interrupted", now, { result: "the worker stopped while it ran" })) continue;
      this.o.incidents.record(
        row.incidentId,
        "runbook-finished",
        this.self,
        `${row.kind} was interrupted: the worker stopped while it ran; it is not run again`,
        {
          requestId: row.requestId,
          ok: false,
        },
        { runbook: { action: row.kind, requestId: row.requestId, status: "interrupted" } },
      );
      this.o.incidents.record(
        row.incidentId,
        "escalated",
        this.self,
        `${row.kind} may or may not have happened (interrupted); a person must check`,
      );
    }
    for (const row of this.o.store.actionsIn(["approved"])) await this.run(row);
  }

  /**
   * An incident resolved: its requests still waiting for a decision are withdrawn (a late approval
   * then finds them cancelled and runs nothing). Returns them, for CEO_LAG to be told.
   */
  withdraw(incidentId: string): ActionRow[] {
    const now = this.o.clock.now().getTime();
    return this.o.store
      .actionsIn(["proposed"])
      .filter((r) => r.incidentId === incidentId)
      .filter((r) => this.o.store.moveAction(r.requestId, ["proposed"], "cancelled", now, { result: "the incident resolved first" }));
  }

  private async run(row: ActionRow): Promise<void> {
    const now = this.o.clock.now().getTime();
    if (!this.o.incidents.isOpen(row.incidentId)) {
      // Approved after its incident resolved (by itself or by a person): nothing left to fix.
      if (this.o.store.moveAction(row.requestId, ["approved"], "cancelled", now, { result: "the incident resolved first" }))
        this.o.log.info(
          { requestId: row.requestId, incident: row.incidentId },
          `${row.kind} approved after its incident resolved: not run`,
        );
      return;
    }
    // Claimed in the store first: a crash from here on leaves `running`, which recover() never runs again.
    if (!this.o.store.moveAction(row.requestId, ["approved"], "running", now)) return;
    this.o.incidents.transition(row.incidentId, "fixing", this.self, `running ${row.kind} (approval ${row.requestId})`);
    this.o.incidents.record(row.incidentId, "runbook-started", this.self, `${row.kind} started`, {
      requestId: row.requestId,
      params: row.params as Record<string, unknown>,
    });
    const runbook = runbookFor(row.kind as RunbookKind);
    let outcome: { ok: boolean; note: string; data?: Record<string, unknown> };
    try {
      outcome = await runbook.run(row.params as never, {
        host: this.o.host,
        docker: this.o.docker,
        log: this.o.log,
        signal: this.o.signal,
        verifyTimeoutMs: row.verifyTimeoutMs,
      });
    } catch (err) {
      outcome = { ok: false, note: `${row.kind} failed: ${(err as Error).message}` };
    }
    this.o.store.moveAction(row.requestId, ["running"], outcome.ok ? "done" : "failed", this.o.clock.now().getTime(), {
      result: outcome.note,
    });
    this.o.incidents.record(
      row.incidentId,
      "runbook-finished",
      this.self,
      outcome.note,
      { requestId: row.requestId, ok: outcome.ok, ...outcome.data },
      {
        runbook: { action: row.kind, requestId: row.requestId, status: outcome.ok ? "done" : "failed" },
      },
    );
    if (outcome.ok) this.o.incidents.transition(row.incidentId, "verifying", this.self, "the fix is in: waiting for the alerts to resolve");
    else {
      this.o.incidents.transition(row.incidentId, "analysing", this.self, `${row.kind} did not fix it`);
      this.o.incidents.record(row.incidentId, "escalated", this.self, `${outcome.note}; a person must act`);
    }
  }
}
