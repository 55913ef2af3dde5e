import { z } from "zod";
import { duration } from "@lag/config";
import { ACTION_KINDS, Currency, Principal, Risk } from "@lag/contracts";
import { singleSection } from "@lag/worker";

/** What a policy rule says of a request: decide it now, or hand it to a person. */
export const Verdict = z.enum(["approve", "deny", "ask"]);
export type Verdict = z.infer<typeof Verdict>;

/**
 * One policy rule: the first rule whose every condition holds decides. A condition left out holds
 * for any request; lists mean "one of".
 */
export const PolicyRule = z.strictObject({
  name: z.string().min(1),
  action: z.array(z.enum(ACTION_KINDS as [string, ...string[]])).optional(),
  requester: z.array(Principal).optional(),
  risk: z.array(Risk).optional(),
  /** Requests costing more than this (in its currency) do not match; requests without a cost do. */
  maxCost: z.strictObject({ amount: z.number().nonnegative(), currency: Currency }).optional(),
  /** Labels the request must carry, exactly. */
  labels: z.record(z.string(), z.string()).optional(),
  decide: Verdict,
  note: z.string().optional(),
});
export type PolicyRule = z.infer<typeof PolicyRule>;

export const DEFAULT_RULES: PolicyRule[] = [
  // Restarting a container is what an operator would do first, and undoes nothing.
  { name: "restarts-are-safe", action: ["restart-container"], risk: ["low"], decide: "approve" },
  // A renewal at its usual price keeps what is already paid for; it still needs budget left (else a person decides).
  {
    name: "small-renewals",
    action: ["renew-subscription"],
    maxCost: { amount: 20, currency: "EUR" },
    decide: "approve",
    note: "a renewal of at most 20 EUR within the month's budget",
  },
];

export const ApprovalsConfig = z.strictObject({
  rules: z.array(PolicyRule).default(DEFAULT_RULES),
  /** What happens to a request no rule matches. */
  default: Verdict.default("ask"),
  /** Monthly spending limits per currency: a request that would go over is handed to a person whatever the rules say. */
  budget: z.array(z.strictObject({ currency: Currency, monthly: z.number().nonnegative() })).default([]),
  /** How often pending requests are checked for expiry. */
  expiryCheck: duration.default(1_000),
});
export type ApprovalsConfig = z.infer<typeof ApprovalsConfig>;

/** CEO_LAG's section (`ceo:`). */
export const CeoConfig = z.strictObject({
  approvals: ApprovalsConfig.prefault({}),
  reports: z.strictObject({ keep: z.number().int().positive().default(90) }).prefault({}),
});

export const ceoConfig = singleSection("ceo", CeoConfig);
