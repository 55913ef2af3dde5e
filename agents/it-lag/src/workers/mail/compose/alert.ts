import type { Notification } from "@lag/contracts";
import type { Mail } from "../outgoing/queue.ts";
import { badge, code, esc, page, paragraph, section, type Tone, utc } from "./html.ts";

export function severityTone(severity: string): Tone {
  return severity === "critical" || severity === "high" ? "bad" : severity === "medium" || severity === "warning" ? "warn" : "muted";
}

/** The mail of one notification: what happened, where it stands, what to type next. */
export function alertMail(n: Notification, to: string[], replies: boolean): Mail {
  const i = n.incident;
  const resolved = n.kind === "resolved";
  const subject = resolved ? `[resolved] ${i.host}: ${i.title}` : n.kind === "opened" ? n.title : `${n.title} (${n.kind})`;
  const facts: [string, string][] = [
    ["incident", i.id],
    ["severity", i.severity],
    ["state", i.state],
    ["opened", utc(i.openedAt)],
    ["alerts", `${i.firing} firing of ${i.alertCount}${i.rules.length > 0 ? ` (${i.rules.join(", ")})` : ""}`],
  ];
  if (i.group && Object.keys(i.group).length > 0)
    facts.push([
      "about",
      Object.entries(i.group)
        .map(([k, v]) => `${k}=${v}`)
        .join(" "),
    ]);
  if (i.runbook) facts.push(["runbook", `${i.runbook.action}: ${i.runbook.status}`]);
  if (i.acknowledged) facts.push(["acknowledged", `by ${i.acknowledged.by} at ${utc(i.acknowledged.at)}`]);
  if (i.resolvedAt) facts.push(["resolved", `${utc(i.resolvedAt)}${i.resolution ? ` — ${i.resolution}` : ""}`]);
  const cause = i.likelyCause
    ? [
        ...i.likelyCause.containers.map((c) => `container ${c.name}: ${c.value} ${c.unit}`),
        ...i.likelyCause.processes.map((p) => `process ${p.command} (${p.pid}): ${p.value} ${p.unit}`),
      ]
    : [];
  const next = resolved
    ? [`lag incidents show ${i.id}`]
    : [
        ...(replies ? ["reply ACK (and a note) to acknowledge it: the reminders stop"] : []),
        `lag incidents show ${i.id}`,
        `lag incidents ack ${i.id} --note "looking"`,
        `lag incidents resolve ${i.id}`,
      ];
  const text = [
    n.title,
    "",
    n.text,
    n.needsPerson ? "A person must act: no runbook fixed it." : "",
    "",
    ...facts.map(([k, v]) => `${k}: ${v}`),
    ...(cause.length > 0 ? ["", `likely cause (${i.likelyCause!.resource}):`, ...cause.map((c) => `  ${c}`)] : []),
    "",
    "next:",
    ...next.map((c) => `  ${c}`),
  ]
    .filter((l, k, all) => !(l === "" && all[k - 1] === ""))
    .join("\n");
  const html = page({
    title: `${i.host}: ${i.title}`,
    summary: resolved ? "resolved" : `${n.kind === "opened" ? "" : `${n.kind}: `}${n.text}`,
    tone: resolved ? "ok" : severityTone(i.severity),
    body: [
      paragraph(
        `${badge(resolved ? "resolved" : i.severity, resolved ? "ok" : severityTone(i.severity))} ${esc(`${i.state}, ${i.firing} of ${i.alertCount} alert${i.alertCount === 1 ? "" : "s"} firing`)}` +
          (n.needsPerson ? `<br><strong style="color:#a40e26">A person must act: no runbook fixed it.</strong>` : ""),
      ),
      section(
        "incident",
        facts.map(([k, v]) => [k, esc(v)] as const),
      ),
      ...(cause.length > 0
        ? [
            section(
              `likely cause (${i.likelyCause!.resource})`,
              cause.map((c) => ["", esc(c)] as const),
            ),
          ]
        : []),
      section(
        "next",
        next.map((c) => ["", code(c)] as const),
      ),
    ].join("\n"),
    footer: `Sent by IT_LAG at ${esc(utc(n.at))} for notification ${esc(n.id)}.`,
  });
  return { id: `alert-${n.id}`, purpose: "alert", to, subject, text, html, incident: i.id };
}
