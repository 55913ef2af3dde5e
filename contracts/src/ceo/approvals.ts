import { z } from "zod";
import { defineConsumer, defineEvent, defineService, endpoint, type EventDescriptor } from "../descriptors.ts";
import { HostName, IsoTime, Slug } from "../it/common.ts";
import { Principal, PRINCIPALS, type Principal as PrincipalName } from "../principals.ts";
import { approvalsStream } from "../streams.ts";

/**
 * Approvals: any agent asks CEO_LAG before an action that spends money or changes the system;
 * CEO_LAG decides by policy or hands it to a person, and publishes the decision. "The absence of an
 * approval is not an approval": a request that nobody decides expires as denied.
 */

export const Risk = z.enum(["low", "medium", "high"]);
export type Risk = z.infer<typeof Risk>;

/** ISO 4217: EUR, USD … */
export const Currency = z.string().regex(/^[A-Z]{3}$/, "a three-letter ISO 4217 code, e.g. EUR");
export const Money = z.object({ amount: z.number().nonnegative(), currency: Currency });
export type Money = z.infer<typeof Money>;

/**
 * What would be done, typed by kind. A worker that brings a new action adds its kind here; the
 * approval core (CEO_LAG's inbox, policy, decisions) stays as it is.
 */
export const Action = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("restart-container"), params: z.object({ host: HostName, container: z.string().min(1) }) }),
  z.object({ kind: z.literal("prune-docker"), params: z.object({ host: HostName }) }),
  z.object({
    kind: z.literal("restore-backup"),
    params: z.object({ host: HostName, plan: Slug, repository: Slug, snapshot: z.string().min(1), target: z.string().min(1) }),
  }),
  /** Renew a domain, hostname or plan for `years` at its provider (the request's cost says what it spends). */
  z.object({
    kind: z.literal("renew-subscription"),
    params: z.object({ subscription: Slug, name: z.string().min(1), provider: Slug, years: z.number().int().positive() }),
  }),
  /** Empty a container's Docker json log (what was written is lost; the container keeps running and writing). */
  z.object({
    kind: z.literal("truncate-docker-log"),
    params: z.object({ host: HostName, container: z.string().min(1), bytes: z.number().nonnegative() }),
  }),
]);
export type Action = z.infer<typeof Action>;
export type ActionKind = Action["kind"];
export const ACTION_KINDS = Action.options.map((o) => o.shape.kind.value) as ActionKind[];

/** What a person needs to decide: what will be done, to what, and what was observed (StackStorm #3952). */
export const Evidence = z.object({
  /** One sentence: "restart container immich on kronos". */
  summary: z.string().min(1),
  /** What led to it, one fact a line: "container immich unhealthy since 06:12 (3 failed health checks)". */
  observed: z.array(z.string().min(1)).min(1),
  /** Anything else worth a look (the likely cause, the last log line …). */
  details: z.record(z.string(), z.string()).optional(),
});
export type Evidence = z.infer<typeof Evidence>;

export const ApprovalRequest = z.object({
  /** Chosen by the requester (a UUID): the same request sent twice is one request. */
  id: z.string().min(8),
  requester: Principal,
  action: Action,
  reason: z.string().min(1),
  cost: Money.optional(),
  risk: Risk,
  requestedAt: IsoTime,
  /** Undecided by then, it is expired: denied. */
  expiresAt: IsoTime,
  links: z
    .object({ incident: z.string().optional(), subscription: z.string().optional(), correlationId: z.string().optional() })
    .default({}),
  evidence: Evidence,
  /** Free labels a policy rule can match (`service: immich`). */
  labels: z.record(z.string(), z.string()).default({}),
});
export type ApprovalRequest = z.infer<typeof ApprovalRequest>;

export const ApprovalState = z.enum(["pending", "approved", "denied", "expired", "cancelled"]);
export type ApprovalState = z.infer<typeof ApprovalState>;

/** Who decided: a policy rule, a person, or the clock (expiry). */
export const Decider = z.object({ kind: z.enum(["policy", "person", "system"]), name: z.string().min(1) });
export type Decider = z.infer<typeof Decider>;
export const Channel = z.enum(["policy", "cli", "page", "mail", "expiry", "requester"]);

export const ApprovalDecision = z.object({
  requestId: z.string().min(8),
  requester: Principal,
  actionKind: Slug,
  decision: ApprovalState.exclude(["pending"]),
  by: Decider,
  channel: Channel,
  /** The policy rule that decided, or that asked a person. */
  rule: z.string().optional(),
  note: z.string().optional(),
  decidedAt: IsoTime,
});
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

/** A request as CEO_LAG keeps it: the request, its state, and its decision once there is one. */
export const ApprovalRecord = z.object({
  request: ApprovalRequest,
  state: ApprovalState,
  receivedAt: IsoTime,
  /** The policy rule that matched and what it said, at arrival. */
  policy: z.object({ rule: z.string(), said: z.enum(["approve", "deny", "ask"]), note: z.string().optional() }),
  decision: ApprovalDecision.optional(),
});
export type ApprovalRecord = z.infer<typeof ApprovalRecord>;

const exampleRequest: ApprovalRequest = {
  id: "4d3f8c1e-0b7a-4a5e-9d2c-6f1b2a3c4d5e",
  requester: "it-incidents",
  action: { kind: "restart-container", params: { host: "kronos", container: "immich" } },
  reason: "container immich is unhealthy; restarting it is the runbook for container-unhealthy",
  risk: "low",
  requestedAt: "2026-11-23T06:12:30.000Z",
  expiresAt: "2026-11-23T06:27:30.000Z",
  links: { incident: "inc-20261123-0612-immich" },
  evidence: {
    summary: "restart container immich on kronos",
    observed: ["container immich unhealthy since 06:12:00", "3 restarts in the last 7 days"],
  },
  labels: {},
};

/**
 * One request event per requesting principal, on `lag.<agent>.approval.requested.<principal>`, so
 * the production permissions let each publish only its own requests. Same schema for all.
 */
export function approvalRequestOf(requester: PrincipalName): EventDescriptor<string, typeof ApprovalRequest> {
  const agent = PRINCIPALS[requester].agent;
  return defineEvent({
    type: `es.lagrieta.${agent}.approval.requested.v1`,
    subject: `lag.${agent}.approval.requested.${requester}`,
    schema: ApprovalRequest,
    publisher: requester,
    audience: ["ceo", "cli"],
    stream: approvalsStream,
    tokens: () => ({}),
    description: `${requester} asks CEO_LAG to approve an action (what, to what, why, cost, risk, evidence); durable, so nothing is lost while CEO_LAG is down.`,
    example: { ...exampleRequest, requester },
  });
}

type Meta = { id?: string; correlationid?: string; causationid?: string };

/**
 * One approval's chain across agents, for `lag trace`: the envelope ids of its events are derived
 * from the request's id, so each can name the one before as its cause, and every one carries the
 * chain the request names (`links.correlationId`, else its incident) as its `correlationid`.
 */
export const approvalChain = {
  /** The request as its requester publishes it: `req-<id>`. */
  request(q: Pick<ApprovalRequest, "id" | "links">): Meta {
    return { id: `req-${q.id}`, ...chainOf(q) };
  },
  /** CEO_LAG handing it to a person: `ask-<id>`, caused by the request's envelope. */
  asked(q: Pick<ApprovalRequest, "id" | "links">, requestEventId?: string): Meta {
    return { id: `ask-${q.id}`, ...chainOf(q), ...(requestEventId ? { causationid: requestEventId } : {}) };
  },
  /** CEO_LAG's decision: `dec-<id>`. */
  decided(q: Pick<ApprovalRequest, "id" | "links">): Meta {
    return { id: approvalDecisionEventId(q.id), ...chainOf(q) };
  },
  /** What a requester publishes because of the decision: the chain, and the decision as its cause. */
  effect(requestId: string, correlationid: string): Meta {
    return { correlationid, causationid: approvalDecisionEventId(requestId) };
  },
};

/** The envelope id of CEO_LAG's decision on a request. */
export function approvalDecisionEventId(requestId: string): string {
  return `dec-${requestId}`;
}

function chainOf(q: Pick<ApprovalRequest, "links">): { correlationid?: string } {
  const c = q.links.correlationId ?? q.links.incident;
  return c ? { correlationid: c } : {};
}

/** The principals that ask for approvals today. */
export const approvalRequests = {
  "it-incidents": approvalRequestOf("it-incidents"),
  "it-backup": approvalRequestOf("it-backup"),
  "it-subscriptions": approvalRequestOf("it-subscriptions"),
  "it-maintenance": approvalRequestOf("it-maintenance"),
} as const;

export const approvalDecided = defineEvent({
  type: "es.lagrieta.ceo.approval.decided.v1",
  subject: "lag.ceo.approval.decided.{requester}",
  schema: ApprovalDecision,
  publisher: "ceo",
  audience: "all",
  stream: approvalsStream,
  tokens: (d) => ({ requester: d.requester }),
  description:
    "CEO_LAG's decision on a request (approved, denied, expired, cancelled): by policy, by a person or by expiry. Only CEO_LAG may publish it.",
  example: {
    requestId: exampleRequest.id,
    requester: "it-incidents",
    actionKind: "restart-container",
    decision: "approved",
    by: { kind: "policy", name: "restarts-are-safe" },
    channel: "policy",
    rule: "restarts-are-safe",
    decidedAt: "2026-11-23T06:12:30.200Z",
  },
});

/**
 * A request CEO_LAG's policy hands to a person: the mail worker mails it (with a one-time reply
 * code), the page shows it. Published once, when the request arrives and the policy says ask.
 */
export const approvalAsked = defineEvent({
  type: "es.lagrieta.ceo.approval.asked.v1",
  subject: "lag.ceo.approval.asked.{requester}",
  schema: ApprovalRecord,
  publisher: "ceo",
  audience: "all",
  stream: approvalsStream,
  tokens: (d) => ({ requester: d.request.requester }),
  description:
    "A request waits for a person (the policy said ask): what, why, the evidence and when it expires. The decision follows as approval.decided.",
  example: { request: exampleRequest, state: "pending", receivedAt: "2026-11-23T06:12:30.100Z", policy: { rule: "default", said: "ask" } },
});

/** CEO_LAG's inbox of approval requests: every request, once, also those sent while it was down. */
export const ceoApprovalsInbox = defineConsumer({
  durable: "ceo-approvals",
  stream: approvalsStream,
  principal: "ceo",
  events: Object.values(approvalRequests),
  description: "approval requests from every agent, decided by CEO_LAG's policy or kept for a person",
  maxDeliver: 5,
  ackWait: 30_000,
});

/** A requester's own decisions: it acts only on decisions for requests it made. */
export const incidentsDecisions = defineConsumer({
  durable: "it-incidents-decisions",
  stream: approvalsStream,
  principal: "it-incidents",
  events: [approvalDecided],
  description: "CEO_LAG's decisions on it-incidents' requests (the runbooks wait for them)",
  maxDeliver: 5,
  ackWait: 60_000,
});

export const backupDecisions = defineConsumer({
  durable: "it-backup-decisions",
  stream: approvalsStream,
  principal: "it-backup",
  events: [approvalDecided],
  description: "CEO_LAG's decisions on it-backup's requests (a restore over live data waits for one)",
  maxDeliver: 5,
  ackWait: 60_000,
});

export const BudgetLine = z.object({
  currency: Currency,
  limit: z.number().nonnegative(),
  spent: z.number().nonnegative(),
  left: z.number(),
});

const recordExample: ApprovalRecord = {
  request: exampleRequest,
  state: "approved",
  receivedAt: "2026-11-23T06:12:30.100Z",
  policy: { rule: "restarts-are-safe", said: "approve" },
  decision: approvalDecided.example,
};

export const approvalsService = defineService({
  name: "ceo-approvals",
  version: "0.1.0",
  description: "CEO_LAG's approval inbox: list, show, decide (a person), cancel (the requester), the monthly budget",
  server: "ceo",
  callers: "all",
  endpoints: {
    list: endpoint({
      subject: "lag.ceo.approvals.list",
      request: z.strictObject({ state: ApprovalState.optional(), limit: z.number().int().positive().max(1000).default(100) }),
      reply: z.object({ approvals: z.array(ApprovalRecord) }),
      description: "Approval requests, newest first; only those in one state when asked (pending: what waits for a person).",
      example: {
        request: { state: "pending" },
        reply: {
          approvals: [
            { request: exampleRequest, state: "pending", receivedAt: recordExample.receivedAt, policy: { rule: "default", said: "ask" } },
          ],
        },
      },
    }),
    show: endpoint({
      subject: "lag.ceo.approvals.show",
      request: z.strictObject({ id: z.string().min(1) }),
      reply: ApprovalRecord,
      description: "One request with its decision and audit (who, when, which channel, which rule, the note); 404 when unknown.",
      example: { request: { id: exampleRequest.id }, reply: recordExample },
    }),
    decide: endpoint({
      subject: "lag.ceo.approvals.decide",
      request: z.strictObject({
        id: z.string().min(1),
        decision: z.enum(["approve", "deny"]),
        by: z.string().min(1),
        channel: z.enum(["cli", "page", "mail"]).default("cli"),
        note: z.string().optional(),
      }),
      reply: ApprovalRecord.extend({ decidedNow: z.boolean() }),
      description:
        "A person decides. Idempotent: deciding a decided request changes nothing and returns the first decision (`decidedNow` false). 404 when unknown.",
      example: {
        request: { id: exampleRequest.id, decision: "approve", by: "ana", channel: "cli", note: "go" },
        reply: { ...recordExample, decidedNow: true },
      },
    }),
    cancel: endpoint({
      subject: "lag.ceo.approvals.cancel",
      request: z.strictObject({ id: z.string().min(1), requester: Principal, reason: z.string().min(1) }),
      reply: ApprovalRecord,
      description: "The requester withdraws a pending request (its incident resolved meanwhile): cancelled, and published as such.",
      example: {
        request: { id: exampleRequest.id, requester: "it-incidents", reason: "resolved by itself" },
        reply: { ...recordExample, state: "cancelled" },
      },
    }),
    budget: endpoint({
      subject: "lag.ceo.approvals.budget",
      request: z.strictObject({}),
      reply: z.object({ month: z.string().regex(/^\d{4}-\d{2}$/), lines: z.array(BudgetLine) }),
      description: "This month's budget per currency: the limit, what approved requests spent, what is left.",
      example: { request: {}, reply: { month: "2026-11", lines: [{ currency: "EUR", limit: 50, spent: 12, left: 38 }] } },
    }),
  },
});
