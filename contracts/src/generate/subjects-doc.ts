import type { EndpointDescriptor, EventDescriptor } from "../descriptors.ts";
import { Headers } from "../envelope.ts";
import { inboxPrefixOf, PRINCIPALS, principalNames, type Principal } from "../principals.ts";
import { DLQ_PREFIX, dlqStreamOf } from "../streams.ts";
import { filterSubject } from "../subject.ts";
import { agentOf, bySubject, endpointsOf, expand, storedSubjects, type Catalog } from "./catalog-view.ts";
import { exampleEndpointSubject, exampleSubject } from "./examples.ts";
import { HEADER_DOCS } from "./header-docs.ts";

export const SUBJECTS_DOC_FILE = "docs/subjects.md";

const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
const code = (s: string) => `\`${s}\``;
const row = (cells: string[]) => `| ${cells.map(cell).join(" | ")} |`;
const table = (head: string[], rows: string[][]) => [row(head), `|${head.map(() => "---").join("|")}|`, ...rows.map(row)].join("\n");

const who = (w: "all" | readonly Principal[]) => (w === "all" ? "all" : expand(w).join(", "));
const duration = (ms: number) =>
  ms % 86_400_000 === 0 ? `${ms / 86_400_000} d` : ms % 60_000 === 0 ? `${ms / 60_000} min` : `${ms / 1000} s`;
const bytes = (n?: number) => (n === undefined ? "unlimited" : n >= 1024 ** 3 ? `${n / 1024 ** 3} GiB` : `${n / 1024 ** 2} MiB`);

function eventRow(e: EventDescriptor): string[] {
  return [
    code(e.subject),
    "event",
    e.stream ? `durable: stream ${e.stream.name}` : "core NATS",
    e.publisher,
    who(e.audience),
    `${e.description} Type ${code(e.type)}.`,
  ];
}

function endpointRows(ep: EndpointDescriptor): string[][] {
  return [
    [
      code(ep.subject),
      "request",
      `core NATS, service ${code(ep.service)} (queue group ${code(ep.service)})`,
      ep.server,
      who(ep.callers),
      ep.description,
    ],
    [
      `caller's inbox ${code("_INBOX_<principal>.…")}`,
      "reply",
      "core NATS",
      ep.server,
      "the caller",
      `Errors in ${code(Headers.serviceError)} / ${code(Headers.serviceErrorCode)}.`,
    ],
  ];
}

function agentSection(cat: Catalog, agent: string): string {
  const principals = principalNames.filter((p) => agentOf(p) === agent);
  const events = bySubject(cat.events.filter((e) => principals.includes(e.publisher)));
  const endpoints = bySubject(endpointsOf(cat).filter((e) => principals.includes(e.server)));
  const consumers = cat.consumers.filter((c) => principals.includes(c.principal));
  const lines = [`## Agent \`${agent}\``, "", ...principals.map((p) => `- principal ${code(p)}: ${PRINCIPALS[p].description}`), ""];
  if (events.length + endpoints.length > 0) {
    lines.push(
      table(
        ["Subject", "Kind", "Delivery", "Publisher / server", "Audience / callers", "Description"],
        [...events.map(eventRow), ...endpoints.flatMap(endpointRows)],
      ),
      "",
    );
  } else {
    lines.push("Publishes no event and serves no endpoint yet.", "");
  }
  for (const c of consumers) {
    lines.push(
      `Reads durably through consumer ${code(c.durable)} on ${code(c.stream.name)}: ${c.events.map((e) => code(e.type)).join(", ")}.`,
    );
  }
  if (consumers.length > 0) lines.push("");
  return lines.join("\n");
}

function streamsSection(cat: Catalog): string {
  return [
    "## Streams",
    "",
    table(
      ["Stream", "Subjects", "Keeps", "Max age", "Max size", "Duplicate window"],
      cat.streams.map((s) => [
        code(s.name),
        storedSubjects(cat, s).map(code).join(", "),
        s.description,
        duration(s.maxAge),
        bytes(s.maxBytes),
        duration(s.duplicateWindow),
      ]),
    ),
    "",
    "## Durable consumers",
    "",
    "Explicit acks; a handler that keeps failing is retried with back-off and, at the delivery limit, its message is dead-lettered.",
    "",
    table(
      ["Consumer", "Stream", "Principal", "Events", "Max deliveries", "Ack wait", "Description"],
      cat.consumers.map((c) => [
        code(c.durable),
        code(c.stream.name),
        c.principal,
        c.events.map((e) => code(filterSubject(e.subject))).join(", "),
        String(c.maxDeliver),
        duration(c.ackWait),
        c.description,
      ]),
    ),
    "",
  ].join("\n");
}

function deadLetterSection(): string {
  const dlqHeaders = Object.values(Headers).filter((h) => h.startsWith("Lag-Dlq-"));
  return [
    "## Dead letters",
    "",
    `A message that fails validation, or whose handler keeps failing past its delivery limit, is parked on ` +
      `${code(`${DLQ_PREFIX}.<principal>.<original subject>`)} in that principal's own stream ` +
      `${code("LAG_DLQ_<PRINCIPAL>")} (e.g. ${code(dlqStreamOf("ceo").name)}; ${duration(dlqStreamOf("ceo").maxAge)}), body unchanged, ` +
      `reason in headers. Each principal may only write, and only change, its own. Nothing is dropped silently; ` +
      `${code("lag dlq")} lists every principal's.`,
    "",
    table(
      ["Header", "Meaning"],
      dlqHeaders.map((h) => [code(h), HEADER_DOCS[h] ?? ""]),
    ),
    "",
    "Other headers on the wire:",
    "",
    table(
      ["Header", "Meaning"],
      Object.values(Headers)
        .filter((h) => !h.startsWith("Lag-Dlq-"))
        .map((h) => [code(h), HEADER_DOCS[h] ?? ""]),
    ),
    "",
  ].join("\n");
}

const PAD = 36;

function tryItSection(cat: Catalog): string {
  const lines = [
    "## Try it",
    "",
    "With the standard NATS CLI against `npm start` (no credentials in development; in production add",
    '`--user cli --password "$LAG_NATS_PASSWORD_CLI"`):',
    "",
    "```sh",
    `${"nats sub 'lag.>'".padEnd(PAD)} # every event, as readable JSON`,
  ];
  for (const e of bySubject(cat.events)) lines.push(`${`nats sub '${filterSubject(e.subject)}'`.padEnd(PAD)} # e.g. ${exampleSubject(e)}`);
  lines.push(`${"nats micro ls".padEnd(PAD)} # every running service`);
  for (const ep of bySubject(endpointsOf(cat))) {
    const subject = exampleEndpointSubject(ep);
    // `'{}'` only where the endpoint accepts an empty request; otherwise its example.
    if (ep.request.safeParse({}).success) lines.push(`nats req ${subject} '{}'`);
    if (JSON.stringify(ep.example.request) !== "{}") lines.push(`nats req ${subject} '${JSON.stringify(ep.example.request)}'`);
  }
  lines.push(`${`nats sub '${DLQ_PREFIX}.>'`.padEnd(PAD)} # dead letters as they are parked (headers carry the reason)`);
  lines.push(`${`nats stream view ${dlqStreamOf("ceo").name}`.padEnd(PAD)} # the ones CEO_LAG parked already`, "```", "");
  return lines.join("\n");
}

/** The human subject catalogue, from the catalog alone. */
export function renderSubjectsDoc(cat: Catalog): string {
  const agents = [...new Set(principalNames.map(agentOf))];
  return [
    "# Subject catalogue",
    "",
    "<!-- GENERATED by `pnpm gen` from contracts/src; do not edit. A test fails when it is stale. -->",
    "",
    "Every subject on the LAG bus, from the contracts. Machine-readable forms: the AsyncAPI 3.0 document",
    "[`contracts/generated/asyncapi.json`](../contracts/generated/asyncapi.json) and one JSON Schema per message in",
    "[`contracts/generated/schemas/`](../contracts/generated/schemas/). Production permissions are derived from the",
    "same contracts into [`infra/nats/prod.conf`](../infra/nats/prod.conf).",
    "",
    "- **Events** are CloudEvents 1.0 JSON on `lag.<agent>.<domain>.<event>[.<key>…]`; only their publisher may",
    "  publish them. `{token}` parts are filled from the data. Durable ones go through JetStream with",
    `  ${code(Headers.msgId)} = envelope id; the others are core NATS.`,
    "- **Requests** go to NATS micro services (`nats micro ls`); the reply comes back on the caller's inbox,",
    `  which is private to each principal (${principalNames.map((p) => code(`${inboxPrefixOf(p)}.>`)).join(", ")}).`,
    "",
    ...agents.map((a) => agentSection(cat, a)),
    streamsSection(cat),
    deadLetterSection(),
    tryItSection(cat),
  ].join("\n");
}
