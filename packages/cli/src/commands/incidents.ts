import { incidentsService, type Incident, type IncidentSummary, type Severity } from "@lag/contracts";
import { booleanOption, BY_OPTION, integerOption, onePositional, personOption, stringOption } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import type { Style } from "../style.ts";
import { table } from "../table.ts";
import { ago, when } from "../times.ts";

const sev = (s: Style, v: Severity) => (v === "critical" || v === "high" ? s.red(v) : v === "medium" ? s.yellow(v) : v);

function state(s: Style, i: IncidentSummary): string {
  const acked = i.acknowledged ? s.dim(` (ack ${i.acknowledged.by})`) : "";
  return `${i.state === "resolved" ? s.green(i.state) : i.state}${acked}`;
}

export const incidents: Command = {
  name: "incidents",
  summary: "the open incidents (all of them with --all): severity, state, host, what, since when",
  usage: "",
  details: [
    "Asks the incident worker (service it-incidents). Open incidents come most severe first; with --all,",
    "resolved ones too, newest first. Exit 1 while an incident is open, so a script can tell.",
  ],
  options: {
    all: { type: "boolean", description: "resolved incidents too" },
    limit: { type: "string", value: "N", description: "at most N (default 100)" },
    json: { type: "boolean", description: "a JSON array of IncidentSummary" },
  },
  connects: true,
  examples: ["lag incidents", "lag incidents --all --limit 20", "lag incidents --json | jq '.[].id'"],
  async run({ args, out, bus: connect }) {
    const limit = integerOption("incidents", args, "limit", 1) ?? 100;
    const bus = await connect();
    const { incidents: list } = await bus.request(incidentsService.endpoints.list, { all: booleanOption(args, "all"), limit });
    if (booleanOption(args, "json")) out.prettyJson(list);
    else if (list.length === 0) out.note(booleanOption(args, "all") ? "no incidents yet" : "no open incidents");
    else {
      const s = out.style;
      const rows = list.map((i) => [
        i.id,
        sev(s, i.severity),
        state(s, i),
        i.host,
        i.title,
        ago(i.openedAt),
        `${i.firing}/${i.alertCount}`,
      ]);
      for (const l of table(["ID", "SEVERITY", "STATE", "HOST", "WHAT", "AGE", "FIRING"], rows, s.bold)) out.fitted(l);
    }
    return list.some((i) => i.state !== "resolved") ? 1 : 0;
  },
};

function renderIncident(i: Incident, s: Style): string[] {
  const lines = [
    `${s.bold(i.id)}  ${sev(s, i.severity)}  ${state(s, i)}`,
    `${i.title} — ${i.host}, opened ${when(i.openedAt)}${i.resolvedAt ? `, resolved ${when(i.resolvedAt)}` : ""}`,
  ];
  if (i.resolution) lines.push(`resolution: ${i.resolution}`);
  if (i.prevention) lines.push(`prevention: ${i.prevention}`);
  if (i.likelyCause) {
    const c = i.likelyCause;
    const top = [
      ...c.containers.map((x) => `${x.name} ${x.value} ${x.unit}`),
      ...c.processes.map((p) => `${p.command}[${p.pid}] ${p.value} ${p.unit}`),
    ];
    lines.push(`likely cause (${c.resource}): ${top.join(", ") || "—"}${c.note ? s.dim(` (${c.note})`) : ""}`);
  }
  if (i.runbook) lines.push(`runbook: ${i.runbook.action} ${i.runbook.status} (approval ${i.runbook.requestId})`);
  lines.push("", s.bold("alerts"));
  lines.push(
    ...table(
      ["RULE", "SEVERITY", "STATUS", "FIRED", "SINCE", "SUMMARY"],
      i.alerts.map((a) => [
        a.rule,
        sev(s, a.severity),
        `${a.status}${a.inhibitedBy ? s.dim(` inhibited by ${a.inhibitedBy}`) : ""}${a.silencedBy ? s.dim(` silenced by ${a.silencedBy}`) : ""}`,
        String(a.fired),
        when(a.since),
        a.summary,
      ]),
      s.bold,
    ),
  );
  lines.push("", s.bold("timeline"));
  lines.push(
    ...table(
      ["WHEN", "WHAT", "WHO", "NOTE"],
      i.timeline.map((t) => [when(t.at), s.cyan(t.kind), `${t.actor.kind}:${t.actor.name}`, t.note]),
      s.bold,
    ),
  );
  return lines;
}

export const incidentShow: Command = {
  name: "incident show",
  summary: "one incident: its alerts, its likely cause, its runbook and its whole timeline",
  usage: "<id>",
  options: { json: { type: "boolean", description: "the Incident as JSON" } },
  connects: true,
  examples: ["lag incident show inc-20261123-061200-immich-x1y2"],
  async run({ args, out, bus: connect }) {
    const id = onePositional("incident show", args, "incident id");
    const i = await (await connect()).request(incidentsService.endpoints.show, { id });
    if (booleanOption(args, "json")) out.prettyJson(i);
    else for (const l of renderIncident(i, out.style)) out.fitted(l);
    return 0;
  },
};

export const incidentAck: Command = {
  name: "incident ack",
  summary: "acknowledge an incident: you are on it, reminders stop",
  usage: "<id>",
  options: { note: { type: "string", value: "TEXT", description: "what you are doing" }, ...BY_OPTION },
  connects: true,
  examples: ["lag incident ack inc-20261123-061200-immich-x1y2 --note 'looking'"],
  async run({ args, out, bus: connect }) {
    const id = onePositional("incident ack", args, "incident id");
    const note = stringOption(args, "note");
    const by = personOption(args);
    const s = await (await connect()).request(incidentsService.endpoints.ack, { id, by, ...(note ? { note } : {}) });
    out.line(`${s.id} acknowledged by ${s.acknowledged?.by ?? by} at ${when(s.acknowledged?.at)}`);
    return 0;
  },
};

export const incidentNote: Command = {
  name: "incident note",
  summary: "add a note to an incident's timeline (with --prevention: what keeps it from happening again)",
  usage: "<id> <text…>",
  options: { prevention: { type: "boolean", description: "the note is the prevention" }, ...BY_OPTION },
  connects: true,
  examples: [
    "lag incident note inc-20261123-061200-immich-x1y2 'memory limit raised to 4 GiB'",
    "lag incident note inc-20261123-061200-immich-x1y2 --prevention 'pinned the image'",
  ],
  async run({ args, out, bus: connect }) {
    const [id, ...words] = args.positionals;
    if (!id || words.length === 0) throw new UsageError("incident note: expected an incident id and the note's text");
    const prevention = booleanOption(args, "prevention");
    const s = await (await connect()).request(incidentsService.endpoints.note, {
      id,
      by: personOption(args),
      note: words.join(" "),
      prevention,
    });
    out.line(`${prevention ? "prevention" : "note"} added to ${s.id}`);
    return 0;
  },
};

export const incidentResolve: Command = {
  name: "incident resolve",
  summary: "resolve an incident by hand; alerts that fire again open a new one",
  usage: "<id>",
  options: { note: { type: "string", value: "TEXT", description: "how it was resolved" }, ...BY_OPTION },
  connects: true,
  examples: ["lag incident resolve inc-20261123-061200-immich-x1y2 --note 'fixed by hand'"],
  async run({ args, out, bus: connect }) {
    const id = onePositional("incident resolve", args, "incident id");
    const note = stringOption(args, "note");
    const s = await (await connect()).request(incidentsService.endpoints.resolve, {
      id,
      by: personOption(args),
      ...(note ? { note } : {}),
    });
    out.line(`${s.id} resolved: ${s.resolution ?? ""}`);
    return 0;
  },
};
