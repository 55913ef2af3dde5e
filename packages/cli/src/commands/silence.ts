import { incidentsService, type Silence } from "@lag/contracts";
import { booleanOption, BY_OPTION, durationOption, onePositional, personOption, stringOption } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import { table } from "../table.ts";
import { when } from "../times.ts";

const matchersText = (s: Silence) =>
  Object.entries(s.matchers)
    .map(([k, v]) => `${k}=${v}`)
    .join(",");

export const silenceAdd: Command = {
  name: "silence add",
  summary: "a maintenance window: matching alerts are recorded in their incidents but notify no one",
  usage: "--match LABEL=GLOB… --for DURATION",
  details: [
    "Labels are an alert's own (container, mount, check …) plus host, rule, severity and source; values are",
    "globs as in rules' match: (`rule=container-*`, `container=!immich`). Every --match must hold.",
  ],
  options: {
    match: { type: "string", multiple: true, value: "LABEL=GLOB", description: "what it silences; repeat for several" },
    for: { type: "string", value: "DURATION", description: "how long: 30m, 2h" },
    start: { type: "string", value: "ISO-TIME", description: "when it starts (default: now)" },
    note: { type: "string", value: "TEXT", description: "why" },
    ...BY_OPTION,
  },
  connects: true,
  examples: [
    "lag silence add --match container=immich --for 2h --note 'upgrade'",
    "lag silence add --match host=nas --match rule='disk-*' --for 30m",
  ],
  async run({ args, out, bus: connect }) {
    const given = args.values.match;
    const pairs = Array.isArray(given) ? (given as string[]) : [];
    if (pairs.length === 0) throw new UsageError("silence add: at least one --match LABEL=GLOB is needed");
    const matchers: Record<string, string> = {};
    for (const p of pairs) {
      const eq = p.indexOf("=");
      if (eq <= 0 || eq === p.length - 1) throw new UsageError(`silence add: --match ${JSON.stringify(p)} is not LABEL=GLOB`);
      matchers[p.slice(0, eq)] = p.slice(eq + 1);
    }
    const forMs = durationOption("silence add", args, "for");
    if (forMs === undefined) throw new UsageError("silence add: --for DURATION is needed (30m, 2h)");
    const start = stringOption(args, "start");
    if (start !== undefined && Number.isNaN(Date.parse(start)))
      throw new UsageError(`silence add: --start must be an ISO time, got ${JSON.stringify(start)}`);
    const s = await (await connect()).request(incidentsService.endpoints.silence, {
      matchers,
      forMs,
      by: personOption(args),
      note: stringOption(args, "note") ?? "",
      ...(start ? { startsAt: new Date(start).toISOString() } : {}),
    });
    out.line(`${s.id}: ${matchersText(s)} silenced from ${when(s.startsAt)} to ${when(s.endsAt)}`);
    return 0;
  },
};

export const silenceList: Command = {
  name: "silence list",
  summary: "the silences not over yet (all of them with --all): active, stale, what they matched",
  usage: "",
  options: {
    all: { type: "boolean", description: "ended and expired ones too" },
    json: { type: "boolean", description: "a JSON array of silences" },
  },
  connects: true,
  examples: ["lag silence list", "lag silence list --all --json"],
  async run({ args, out, bus: connect }) {
    const { silences } = await (await connect()).request(incidentsService.endpoints.silences, { all: booleanOption(args, "all") });
    if (booleanOption(args, "json")) {
      out.prettyJson(silences);
      return 0;
    }
    if (silences.length === 0) {
      out.note("no silences");
      return 0;
    }
    const s = out.style;
    const rows = silences.map((x) => [
      x.id,
      matchersText(x),
      x.expiredAt ? s.dim("expired") : x.active ? (x.stale ? s.yellow("stale") : s.green("active")) : "waiting",
      when(x.startsAt),
      when(x.endsAt),
      String(x.matched),
      x.createdBy,
      x.note,
    ]);
    for (const l of table(["ID", "MATCHES", "STATE", "FROM", "TO", "MATCHED", "BY", "NOTE"], rows, s.bold)) out.fitted(l);
    return 0;
  },
};

export const silenceExpire: Command = {
  name: "silence expire",
  summary: "end a silence now",
  usage: "<id>",
  options: { ...BY_OPTION },
  connects: true,
  examples: ["lag silence expire sil-20261123-0600-immich-ab12"],
  async run({ args, out, bus: connect }) {
    const id = onePositional("silence expire", args, "silence id");
    const s = await (await connect()).request(incidentsService.endpoints.expireSilence, { id, by: personOption(args) });
    out.line(`${s.id} expired at ${when(s.expiredAt)}`);
    return 0;
  },
};
