import { describe, expect, it } from "vitest";
import { approvalRequests, type ApprovalRequest } from "@lag/contracts";
import { ApprovalsConfig, type PolicyRule } from "../config.ts";
import { evaluate } from "./policy.ts";

const base = approvalRequests["it-incidents"].example as ApprovalRequest;
const q = (over: Partial<ApprovalRequest>): ApprovalRequest => ({ ...base, ...over });
const rules: PolicyRule[] = [
  { name: "immich-never", labels: { service: "immich" }, decide: "deny" },
  { name: "restarts", action: ["restart-container"], risk: ["low"], decide: "approve" },
  { name: "cheap", maxCost: { amount: 5, currency: "EUR" }, requester: ["it-incidents"], decide: "approve" },
];
const noBudget = () => undefined;

describe("CEO_LAG's policy", () => {
  it("the first rule whose every condition holds decides; none: the default", () => {
    expect(evaluate(q({ labels: { service: "immich" } }), rules, "ask", noBudget)).toEqual({ rule: "immich-never", said: "deny" });
    expect(evaluate(q({}), rules, "ask", noBudget)).toEqual({ rule: "restarts", said: "approve" });
    const medium = q({ risk: "medium" });
    // no cost: "cheap" holds (a maxCost leaves requests without a cost in)
    expect(evaluate(medium, rules, "ask", noBudget).rule).toBe("cheap");
    expect(evaluate(q({ risk: "medium", requester: "media" }), rules, "deny", noBudget)).toEqual({ rule: "default", said: "deny" });
  });

  it("a cost over the rule's maximum, or in another currency, does not match", () => {
    const left = () => 100;
    expect(evaluate(q({ risk: "medium", cost: { amount: 4, currency: "EUR" } }), rules, "ask", left).said).toBe("approve");
    expect(evaluate(q({ risk: "medium", cost: { amount: 6, currency: "EUR" } }), rules, "ask", left).rule).toBe("default");
    expect(evaluate(q({ risk: "medium", cost: { amount: 1, currency: "USD" } }), rules, "ask", left).rule).toBe("default");
  });

  it("an approval over what is left of the budget, or with no budget for its currency, asks a person", () => {
    const cost = { amount: 4, currency: "EUR" };
    expect(evaluate(q({ risk: "medium", cost }), rules, "ask", () => 3)).toMatchObject({ rule: "budget", said: "ask" });
    expect(evaluate(q({ risk: "medium", cost }), rules, "ask", noBudget)).toMatchObject({ rule: "budget", said: "ask" });
    expect(evaluate(q({ risk: "medium", cost }), rules, "ask", () => 4)).toMatchObject({ rule: "cheap", said: "approve" });
    // A denial never needs a budget.
    expect(evaluate(q({ labels: { service: "immich" }, cost }), rules, "ask", noBudget).said).toBe("deny");
  });

  it("the configuration lists every bad key", () => {
    const r = ApprovalsConfig.safeParse({ rules: [{ name: "x", action: ["reboot"], decide: "yes", colour: 1 }], default: "maybe" });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join("."));
    expect(paths).toEqual(expect.arrayContaining(["rules.0.action.0", "rules.0.decide", "rules.0", "default"]));
  });
});
