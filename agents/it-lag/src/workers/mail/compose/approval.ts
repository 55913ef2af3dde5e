import { createHash } from "node:crypto";
import type { ApprovalRecord } from "@lag/contracts";
import type { Mail } from "../outgoing/queue.ts";
import { badge, code, esc, page, paragraph, section, type Tone, utc } from "./html.ts";

const RISK_TONE: Record<string, Tone> = { low: "ok", medium: "warn", high: "bad" };

/** Where a request can be opened (it.mail.digest.approvalLink, `{id}` its id), if that is configured. */
export function approvalLink(template: string | undefined, id: string): string | undefined {
  return template?.replace("{id}", encodeURIComponent(id));
}

/**
 * The mail that asks one person to decide a request, with that person's one-time code. The reply
 * instructions never spell a verb next to the code, so a reply that quotes this mail decides nothing.
 */
export function approvalMail(r: ApprovalRecord, to: string, code_: string, link?: string): Mail {
  const q = r.request;
  const facts: [string, string][] = [
    [
      "action",
      `${q.action.kind} ${Object.entries(q.action.params)
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")}`,
    ],
    ["requested by", q.requester],
    ["risk", q.risk],
    ...(q.cost ? ([["cost", `${q.cost.amount} ${q.cost.currency}`]] as [string, string][]) : []),
    ["expires", `${utc(q.expiresAt)} (then it counts as denied)`],
    ["request", q.id],
    ...(q.links.incident ? ([["incident", q.links.incident]] as [string, string][]) : []),
  ];
  const how = [
    "To decide by mail, reply to this mail with one word, APPROVE or DENY, then a space and the code.",
    `Your code: ${code_} (for you only, valid once, until the request expires)`,
    `Or look at it: lag approvals show ${q.id}`,
    ...(link ? [`Or open: ${link}`] : []),
  ];
  const text = [
    q.evidence.summary,
    "",
    `Why: ${q.reason}`,
    "",
    "Observed:",
    ...q.evidence.observed.map((o) => `  - ${o}`),
    ...Object.entries(q.evidence.details ?? {}).map(([k, v]) => `  ${k}: ${v}`),
    "",
    ...facts.map(([k, v]) => `${k}: ${v}`),
    "",
    ...how,
  ].join("\n");
  const html = page({
    title: `Approve? ${q.evidence.summary}`,
    summary: q.reason,
    tone: RISK_TONE[q.risk] ?? "warn",
    body: [
      paragraph(`${badge(`${q.risk} risk`, RISK_TONE[q.risk] ?? "warn")} ${esc(q.reason)}`),
      section("observed", [
        ...q.evidence.observed.map((o) => ["", esc(o)] as const),
        ...Object.entries(q.evidence.details ?? {}).map(([k, v]) => [k, esc(v)] as const),
      ]),
      section(
        "request",
        facts.map(([k, v]) => [k, esc(v)] as const),
      ),
      paragraph(
        `To decide by mail, reply to this mail with one word, <strong>APPROVE</strong> or <strong>DENY</strong>, then a space and the code.<br>` +
          `Your code: <strong style="font-size:18px;letter-spacing:.1em">${esc(code_)}</strong> (for you only, valid once, until the request expires).<br>` +
          `Or look at it: ${code(`lag approvals show ${q.id}`)}${link ? ` or <a href="${esc(link)}" style="color:#0969da">open it</a>` : ""}.`,
      ),
    ].join("\n"),
    footer: `Asked by CEO_LAG's policy (rule ${esc(r.policy.rule)}). Replies count only from ${esc(to)}, with this code.`,
  });
  return {
    id: `approval-${q.id}-${createHash("sha256").update(to).digest("hex").slice(0, 8)}`,
    purpose: "approval",
    to: [to],
    subject: `[LAG] Approve? ${q.evidence.summary}`,
    text,
    html,
    requestId: q.id,
  };
}
