import { ApprovalState, approvalsService, type ApprovalRecord } from "@lag/contracts";
import { booleanOption, BY_OPTION, integerOption, onePositional, personOption, stringOption } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { Style } from "../style.ts";
import { table } from "../table.ts";
import { ago, until, when } from "../times.ts";

function stateOf(s: Style, r: ApprovalRecord): string {
  if (r.state === "approved") return s.green(r.state);
  if (r.state === "pending") return s.yellow(r.state);
  return s.red(r.state);
}

const target = (r: ApprovalRecord) =>
  Object.entries(r.request.action.params)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");

export const approvals: Command = {
  name: "approvals",
  summary: "approval requests waiting for a person (--all: every one, newest first)",
  usage: "",
  details: [
    "Asks CEO_LAG (service ceo-approvals). A request waits when the policy said `ask` (or the budget would",
    "be exceeded) until a person approves or denies it, or it expires — which is a denial. Exit 1 while",
    "something waits.",
  ],
  options: {
    all: { type: "boolean", description: "every state" },
    state: { type: "string", value: "STATE", description: `only this state: ${ApprovalState.options.join(", ")}` },
    limit: { type: "string", value: "N", description: "at most N (default 100)" },
    json: { type: "boolean", description: "a JSON array of ApprovalRecord" },
  },
  connects: true,
  examples: ["lag approvals", "lag approvals --all", "lag approvals --state denied --json"],
  async run({ args, out, bus: connect }) {
    const given = stringOption(args, "state");
    const parsed = given === undefined ? undefined : ApprovalState.safeParse(given);
    if (parsed && !parsed.success) throw new UsageError(`approvals: --state must be one of ${ApprovalState.options.join(", ")}`);
    const state = parsed?.data ?? (booleanOption(args, "all") ? undefined : "pending");
    const limit = integerOption("approvals", args, "limit", 1) ?? 100;
    const { approvals: list } = await (await connect()).request(approvalsService.endpoints.list, { ...(state ? { state } : {}), limit });
    if (booleanOption(args, "json")) out.prettyJson(list);
    else if (list.length === 0) out.note(state === "pending" ? "nothing waits for a decision" : "no approval requests");
    else {
      const s = out.style;
      const rows = list.map((r) => [
        r.request.id,
        stateOf(s, r),
        `${r.request.action.kind} ${target(r)}`,
        r.request.requester,
        r.request.risk,
        r.request.cost ? `${r.request.cost.amount} ${r.request.cost.currency}` : "-",
        r.state === "pending" ? `expires in ${until(r.request.expiresAt)}` : `${ago(r.receivedAt)} ago`,
        r.decision ? `${r.decision.by.kind}:${r.decision.by.name}` : `${r.policy.rule}: ${r.policy.said}`,
      ]);
      for (const l of table(["ID", "STATE", "ACTION", "REQUESTER", "RISK", "COST", "WHEN", "DECIDED BY"], rows, s.bold)) out.fitted(l);
    }
    return list.some((r) => r.state === "pending") ? 1 : 0;
  },
};

function renderRecord(r: ApprovalRecord, s: Style): string[] {
  const q = r.request;
  const lines = [
    `${s.bold(q.id)}  ${stateOf(s, r)}`,
    `${q.evidence.summary} — asked by ${q.requester}, risk ${q.risk}${q.cost ? `, cost ${q.cost.amount} ${q.cost.currency}` : ""}`,
    `why: ${q.reason}`,
    ...q.evidence.observed.map((o) => `  observed: ${o}`),
    ...Object.entries(q.evidence.details ?? {}).map(([k, v]) => `  ${k}: ${v}`),
    ...Object.entries(q.links)
      .filter(([, v]) => v)
      .map(([k, v]) => `  ${k}: ${v}`),
    `requested ${when(q.requestedAt)}, received ${when(r.receivedAt)}, expires ${when(q.expiresAt)}`,
    `policy: rule ${r.policy.rule} said ${r.policy.said}${r.policy.note ? ` (${r.policy.note})` : ""}`,
  ];
  const d = r.decision;
  if (d)
    lines.push(
      `decision: ${d.decision} by ${d.by.kind} ${d.by.name} via ${d.channel}${d.rule ? `, rule ${d.rule}` : ""} at ${when(d.decidedAt)}${d.note ? `: ${d.note}` : ""}`,
    );
  return lines;
}

export const approvalsShow: Command = {
  name: "approvals show",
  summary: "one request: what, why, the evidence, the policy's word and the decision's audit",
  usage: "<id>",
  options: { json: { type: "boolean", description: "the ApprovalRecord as JSON" } },
  connects: true,
  examples: ["lag approvals show 4d3f8c1e-0b7a-4a5e-9d2c-6f1b2a3c4d5e"],
  async run({ args, out, bus: connect }) {
    const id = onePositional("approvals show", args, "request id");
    const r = await (await connect()).request(approvalsService.endpoints.show, { id });
    if (booleanOption(args, "json")) out.prettyJson(r);
    else for (const l of renderRecord(r, out.style)) out.fitted(l);
    return 0;
  },
};

function decideCommand(verdict: "approve" | "deny"): Command {
  const name = `approvals ${verdict}`;
  return {
    name,
    summary: verdict === "approve" ? "approve a waiting request: the requester acts on it" : "deny a waiting request: nothing is done",
    usage: "<id>",
    details: ["Deciding a request already decided (or expired) changes nothing: the first decision is shown and the exit code is 1."],
    options: { note: { type: "string", value: "TEXT", description: "why, for the audit trail" }, ...BY_OPTION },
    connects: true,
    examples: [`lag ${name} 4d3f8c1e-0b7a-4a5e-9d2c-6f1b2a3c4d5e --note '${verdict === "approve" ? "go ahead" : "not during the backup"}'`],
    async run({ args, out, bus: connect }) {
      const id = onePositional(name, args, "request id");
      const note = stringOption(args, "note");
      const by = personOption(args);
      const r = await (await connect()).request(approvalsService.endpoints.decide, {
        id,
        decision: verdict,
        by,
        channel: "cli",
        ...(note ? { note } : {}),
      });
      const d = r.decision!;
      if (r.decidedNow) {
        out.line(`${id} ${d.decision} by ${by}`);
        return 0;
      }
      out.error(`lag ${name}: ${id} was already ${d.decision} by ${d.by.kind} ${d.by.name} at ${when(d.decidedAt)}; nothing changed`);
      return 1;
    },
  };
}

export const approvalsApprove = decideCommand("approve");
export const approvalsDeny = decideCommand("deny");

export const approvalsBudget: Command = {
  name: "approvals budget",
  summary: "this month's budget per currency: the limit, what approvals spent, what is left",
  usage: "",
  options: { json: { type: "boolean", description: "the budget as JSON" } },
  connects: true,
  examples: ["lag approvals budget"],
  async run({ args, out, bus: connect }) {
    const b = await (await connect()).request(approvalsService.endpoints.budget, {});
    if (booleanOption(args, "json")) out.prettyJson(b);
    else if (b.lines.length === 0) out.note(`no budget set (ceo.approvals.budget); every request with a cost goes to a person`);
    else
      for (const l of table(
        ["MONTH", "CURRENCY", "LIMIT", "SPENT", "LEFT"],
        b.lines.map((x) => [b.month, x.currency, String(x.limit), String(x.spent), String(x.left)]),
        out.style.bold,
      ))
        out.fitted(l);
    return 0;
  },
};
