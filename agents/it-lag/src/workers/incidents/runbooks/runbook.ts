import type { Action, ActionKind, Alert, Evidence, IncidentSummary, Money } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { DockerEngine } from "../../../docker/engine.ts";

/** What a runbook acts with: this host's Docker, a log, and a signal that aborts at shutdown. */
export interface RunbookContext {
  host: string;
  docker: DockerEngine;
  log: Logger;
  signal: AbortSignal;
  verifyTimeoutMs: number;
}

/** What is asked of CEO_LAG: the action, why, and what a person needs to decide. */
export interface Proposal<A extends Action = Action> {
  action: A;
  reason: string;
  evidence: Evidence;
  cost?: Money;
  labels?: Record<string, string>;
}

export interface RunOutcome {
  ok: boolean;
  /** One sentence for the timeline: what was done and what was seen after. */
  note: string;
  data?: Record<string, unknown>;
}

/**
 * One action IT_LAG can take for an incident. A worker that brings a new one (re-run a backup,
 * renew a domain) adds its kind to the contracts' Action, writes a Runbook, and registers it: the
 * incident core and the approval flow stay as they are.
 */
export interface Runbook<K extends ActionKind = ActionKind> {
  readonly kind: K;
  /** The proposal for this incident and alert, or why it cannot act here. */
  propose(incident: IncidentSummary, alert: Alert, host: string): Proposal<Extract<Action, { kind: K }>> | { cannot: string };
  /** Carries the action out and checks it worked (within ctx.verifyTimeoutMs). Never called without an approval. */
  run(params: Extract<Action, { kind: K }>["params"], ctx: RunbookContext): Promise<RunOutcome>;
}
