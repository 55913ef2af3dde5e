import type { ApprovalRequest } from "@lag/contracts";
import type { PolicyRule, Verdict } from "../config.ts";

export interface PolicyOutcome {
  /** The rule that decided (`default` when none matched, `budget` when the budget overrode it). */
  rule: string;
  said: Verdict;
  note?: string;
}

function matches(r: PolicyRule, q: ApprovalRequest): boolean {
  if (r.action && !r.action.includes(q.action.kind)) return false;
  if (r.requester && !r.requester.includes(q.requester)) return false;
  if (r.risk && !r.risk.includes(q.risk)) return false;
  if (r.maxCost && q.cost && (q.cost.currency !== r.maxCost.currency || q.cost.amount > r.maxCost.amount)) return false;
  if (r.labels) for (const [k, v] of Object.entries(r.labels)) if (q.labels[k] !== v) return false;
  return true;
}

/**
 * CEO_LAG's policy: the first matching rule decides, else the default. A request that would spend
 * more than what is left of its currency's monthly budget is never approved by a rule: it goes to
 * a person. Pure: the same request, rules and budget always say the same.
 */
export function evaluate(
  q: ApprovalRequest,
  rules: readonly PolicyRule[],
  fallback: Verdict,
  budgetLeft: (currency: string) => number | undefined,
): PolicyOutcome {
  const rule = rules.find((r) => matches(r, q));
  const outcome: PolicyOutcome = rule
    ? { rule: rule.name, said: rule.decide, ...(rule.note ? { note: rule.note } : {}) }
    : { rule: "default", said: fallback };
  if (outcome.said === "approve" && q.cost && q.cost.amount > 0) {
    const left = budgetLeft(q.cost.currency);
    if (left === undefined)
      return { rule: "budget", said: "ask", note: `no ${q.cost.currency} budget is set: spending ${q.cost.amount} needs a person` };
    if (q.cost.amount > left)
      return {
        rule: "budget",
        said: "ask",
        note: `${q.cost.amount} ${q.cost.currency} is more than the ${left} left this month (rule ${outcome.rule} would approve)`,
      };
  }
  return outcome;
}
