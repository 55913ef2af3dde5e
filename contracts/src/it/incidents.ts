import { z } from "zod";
import { defineConsumer, defineEvent, defineService, endpoint } from "../descriptors.ts";
import { incidentsStream, itStream } from "../streams.ts";
import { alertEvents } from "./alerts.ts";
import { Bytes, HostName, IsoTime, Percent, Severity, Slug } from "./common.ts";
import { Health } from "./status-report.ts";

/**
 * Incidents: what IT_LAG makes of alerts. Alerts of one group (host + the object they are about)
 * become one incident, taken through the blueprint's protocol: detected → analysing → fixing →
 * verifying → resolved, then prevention noted. Every change is a timeline entry with its actor, and
 * an event on the bus.
 */

export const IncidentId = z.string().regex(/^inc-[a-z0-9-]+$/, "inc-<date>-<time>-<suffix>");
export const IncidentState = z.enum(["detected", "analysing", "fixing", "verifying", "resolved"]);
export type IncidentState = z.infer<typeof IncidentState>;

export const Actor = z.object({ kind: z.enum(["worker", "policy", "person"]), name: z.string().min(1) });
export type Actor = z.infer<typeof Actor>;

export const TimelineKind = z.enum([
  "opened",
  "alert-firing",
  "alert-resolved",
  "inhibited",
  "silenced",
  "state",
  "severity",
  "notified",
  "acknowledged",
  "note",
  "likely-cause",
  "runbook-proposed",
  "approval",
  "runbook-started",
  "runbook-finished",
  "escalated",
  "resolved",
  "prevention",
]);
export type TimelineKind = z.infer<typeof TimelineKind>;

export const TimelineEntry = z.object({
  at: IsoTime,
  kind: TimelineKind,
  actor: Actor,
  note: z.string(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

/** The top consumers of the resource an incident is about, at the moment it opened. */
export const LikelyCause = z.object({
  resource: z.enum(["cpu", "memory", "disk", "network"]),
  containers: z.array(z.object({ name: z.string(), value: z.number(), unit: z.string() })),
  processes: z.array(z.object({ pid: z.number().int(), command: z.string(), value: z.number(), unit: z.string() })),
  /** What could not be measured, and why. */
  note: z.string().optional(),
});
export type LikelyCause = z.infer<typeof LikelyCause>;

export const IncidentAlert = z.object({
  fingerprint: z.string(),
  rule: Slug,
  severity: Severity,
  status: z.enum(["firing", "resolved"]),
  summary: z.string(),
  labels: z.record(z.string(), z.string()),
  since: IsoTime,
  lastSeen: IsoTime,
  /** How many times it fired (again) within this incident: a flapping alert stays in one incident. */
  fired: z.number().int().positive(),
  inhibitedBy: z.string().optional(),
  silencedBy: z.string().optional(),
});
export type IncidentAlert = z.infer<typeof IncidentAlert>;

export const IncidentSummary = z.object({
  id: IncidentId,
  title: z.string(),
  host: HostName,
  /** The labels it is grouped by (host and the object: container, mount, check …). */
  group: z.record(z.string(), z.string()),
  severity: Severity,
  state: IncidentState,
  openedAt: IsoTime,
  notifiedAt: IsoTime.optional(),
  acknowledged: z.object({ at: IsoTime, by: z.string(), note: z.string().optional() }).optional(),
  resolvedAt: IsoTime.optional(),
  resolution: z.string().optional(),
  prevention: z.string().optional(),
  /** Firing alerts now / all alerts seen. */
  firing: z.number().int().nonnegative(),
  alertCount: z.number().int().nonnegative(),
  /** The rules of its alerts (`backup-failed`, `container-unhealthy` …): what a notification's reader filters on. */
  rules: z.array(Slug).default([]),
  likelyCause: LikelyCause.optional(),
  runbook: z.object({ action: Slug, requestId: z.string(), status: z.string() }).optional(),
});
export type IncidentSummary = z.infer<typeof IncidentSummary>;

export const Incident = IncidentSummary.extend({ alerts: z.array(IncidentAlert), timeline: z.array(TimelineEntry) });
export type Incident = z.infer<typeof Incident>;

const summaryExample: IncidentSummary = {
  id: "inc-20261123-061200-immich",
  title: "container immich is unhealthy",
  host: "kronos",
  group: { host: "kronos", container: "immich" },
  severity: "high",
  state: "analysing",
  openedAt: "2026-11-23T06:12:00.000Z",
  firing: 1,
  alertCount: 1,
  rules: ["container-unhealthy"],
};

/** One change of an incident: the incident as it is after it, and the timeline entry it was. */
export const IncidentChange = z.object({ incident: IncidentSummary, entry: TimelineEntry });

export const incidentChanged = defineEvent({
  type: "es.lagrieta.it.incident.v1",
  subject: "lag.it.incident.{change}.{id}",
  schema: IncidentChange,
  publisher: "it-incidents",
  audience: "all",
  stream: incidentsStream,
  tokens: (d) => ({ change: d.entry.kind, id: d.incident.id }),
  description:
    "An incident changed: opened, a state, a severity, acknowledged, a note, a runbook step, an approval, escalated, resolved, prevention noted. Alert-level entries stay in the timeline (the alerts are on the bus already).",
  example: {
    incident: summaryExample,
    entry: {
      at: "2026-11-23T06:12:00.000Z",
      kind: "opened",
      actor: { kind: "worker", name: "it-incidents" },
      note: "container immich is unhealthy",
    },
  },
});

/**
 * What the operator is told (the mail worker sends it; the status page shows it): an incident
 * worth a person's attention, at once for critical ones, after the group wait for others.
 */
export const Notification = z.object({
  id: z.string().min(8),
  kind: z.enum(["opened", "repeat", "escalated", "resolved"]),
  incident: IncidentSummary,
  title: z.string(),
  text: z.string(),
  /** A person must act: a runbook was denied, expired or failed, or there is none. */
  needsPerson: z.boolean(),
  at: IsoTime,
});
export type Notification = z.infer<typeof Notification>;

export const notification = defineEvent({
  type: "es.lagrieta.it.notification.v1",
  subject: "lag.it.notification.{severity}.{incident}",
  schema: Notification,
  publisher: "it-incidents",
  audience: "all",
  stream: incidentsStream,
  tokens: (d) => ({ severity: d.incident.severity, incident: d.incident.id }),
  description:
    "Tell a person: an incident opened (after its group wait; at once when critical), a reminder while unacknowledged, an escalation, a resolution. Inhibited and silenced alerts notify no one.",
  example: {
    id: "ntf-6b2c0e4a",
    kind: "opened",
    incident: summaryExample,
    title: "[high] kronos: container immich is unhealthy",
    text: "container immich is unhealthy since 06:12; runbook restart-container proposed",
    needsPerson: false,
    at: "2026-11-23T06:12:30.000Z",
  },
});

/** A silence (a maintenance window): alerts it matches are recorded but notify no one. */
export const Silence = z.object({
  id: z.string().regex(/^sil-[a-z0-9-]+$/),
  /** Label globs, as rules' `match:` (`container: immich`, `host: nas`, `rule: disk-*`). */
  matchers: z.record(z.string(), z.string()).refine((m) => Object.keys(m).length > 0, "at least one matcher"),
  startsAt: IsoTime,
  endsAt: IsoTime,
  createdBy: z.string().min(1),
  note: z.string(),
  createdAt: IsoTime,
  expiredAt: IsoTime.optional(),
  /** Alerts it has silenced, and when it last did. */
  matched: z.number().int().nonnegative(),
  lastMatchedAt: IsoTime.optional(),
});
export type Silence = z.infer<typeof Silence>;

export const silenceChanged = defineEvent({
  type: "es.lagrieta.it.silence.v1",
  subject: "lag.it.silence.{change}.{id}",
  schema: z.object({ change: z.enum(["created", "started", "ended", "expired", "stale"]), silence: Silence, by: z.string() }),
  publisher: "it-incidents",
  audience: "all",
  stream: incidentsStream,
  tokens: (d) => ({ change: d.change, id: d.silence.id }),
  description:
    "A silence was created, started, ended (its time was up), expired by hand, or has matched nothing for a long time (stale): its start and end are notified too.",
  example: {
    change: "created",
    by: "ana",
    silence: {
      id: "sil-20261123-0600-immich",
      matchers: { container: "immich" },
      startsAt: "2026-11-23T06:00:00.000Z",
      endsAt: "2026-11-23T08:00:00.000Z",
      createdBy: "ana",
      note: "upgrade",
      createdAt: "2026-11-23T06:00:00.000Z",
      matched: 0,
    },
  },
});

/** Time to acknowledge and to resolve per severity, incidents per week, repeating patterns. */
export const Measures = z.object({
  since: IsoTime,
  bySeverity: z.array(
    z.object({ severity: Severity, incidents: z.number().int(), mttaSec: z.number().nullable(), mttrSec: z.number().nullable() }),
  ),
  perWeek: z.array(z.object({ week: z.string(), opened: z.number().int() })),
  /** The same fingerprint firing at least N times in 7 days: something to prevent. */
  patterns: z.array(z.object({ fingerprint: z.string(), rule: Slug, host: HostName, times: z.number().int(), suggestion: z.string() })),
});
export type Measures = z.infer<typeof Measures>;

/** A section a worker adds to the daily report (backups, subscriptions …). */
export const ReportSection = z.object({ title: z.string(), lines: z.array(z.string()) });

export const DailyReport = z.object({
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  generatedAt: IsoTime,
  health: z.array(z.object({ host: HostName, health: Health.or(z.literal("unknown")), summary: z.string() })),
  incidents: z.object({
    opened: z.number().int(),
    resolved: z.number().int(),
    open: z.array(IncidentSummary.pick({ id: true, title: true, host: true, severity: true, state: true, openedAt: true })),
  }),
  measures: Measures,
  approvals: z.object({
    pending: z.number().int(),
    items: z.array(z.object({ id: z.string(), action: Slug, reason: z.string(), expiresAt: IsoTime })),
  }),
  storage: z.array(z.object({ host: HostName, mount: z.string(), role: z.string().optional(), usedPct: Percent, freeBytes: Bytes })),
  /** Filled by the workers that have something to say: `backups`, `subscriptions` … */
  sections: z.record(z.string(), ReportSection),
});
export type DailyReport = z.infer<typeof DailyReport>;

const measuresExample: Measures = {
  since: "2026-11-16T07:00:00.000Z",
  bySeverity: [{ severity: "high", incidents: 2, mttaSec: 300, mttrSec: 1800 }],
  perWeek: [{ week: "2026-W47", opened: 2 }],
  patterns: [],
};

export const dailyReport = defineEvent({
  type: "es.lagrieta.it.report.daily.v1",
  subject: "lag.it.report.daily.{day}",
  schema: DailyReport,
  publisher: "it-incidents",
  audience: "all",
  stream: incidentsStream,
  tokens: (d) => ({ day: d.day }),
  description:
    "IT_LAG's day for CEO_LAG and the digest: health per host, incidents opened/resolved/open, MTTA/MTTR, patterns, pending approvals, storage, and the sections other workers add.",
  example: {
    day: "2026-11-23",
    generatedAt: "2026-11-23T06:00:00.000Z",
    health: [{ host: "kronos", health: "ok", summary: "all is well" }],
    incidents: { opened: 1, resolved: 1, open: [] },
    measures: measuresExample,
    approvals: { pending: 0, items: [] },
    storage: [{ host: "kronos", mount: "/mnt/storage", role: "storage", usedPct: 71.5, freeBytes: 1.1e12 }],
    sections: {},
  },
});

const incidentExample: Incident = {
  ...summaryExample,
  alerts: [
    {
      fingerprint: "container-unhealthy/kronos/container=immich",
      rule: "container-unhealthy",
      severity: "high",
      status: "firing",
      summary: "container immich is unhealthy",
      labels: { container: "immich" },
      since: "2026-11-23T06:12:00.000Z",
      lastSeen: "2026-11-23T06:12:00.000Z",
      fired: 1,
    },
  ],
  timeline: [incidentChanged.example.entry],
};
const by = z.string().min(1);

export const incidentsService = defineService({
  name: "it-incidents",
  version: "0.1.0",
  description: "IT_LAG's incidents and silences: list, show, acknowledge, annotate, resolve; silences; measures",
  server: "it-incidents",
  callers: "all",
  endpoints: {
    list: endpoint({
      subject: "lag.it.incidents.list",
      request: z.strictObject({ all: z.boolean().default(false), limit: z.number().int().positive().max(1000).default(100) }),
      reply: z.object({ incidents: z.array(IncidentSummary) }),
      description: "Open incidents, most severe first (all of them, newest first, with `all`).",
      example: { request: {}, reply: { incidents: [summaryExample] } },
    }),
    show: endpoint({
      subject: "lag.it.incidents.show",
      request: z.strictObject({ id: z.string().min(1) }),
      reply: Incident,
      description: "One incident with its alerts and its whole timeline; 404 when unknown.",
      example: { request: { id: summaryExample.id }, reply: incidentExample },
    }),
    ack: endpoint({
      subject: "lag.it.incidents.ack",
      request: z.strictObject({ id: z.string().min(1), by, note: z.string().optional() }),
      reply: IncidentSummary,
      description: "A person has seen it: who and a note, reminders stop, the time counts for MTTA. Acknowledging twice keeps the first.",
      example: { request: { id: summaryExample.id, by: "ana", note: "looking" }, reply: summaryExample },
    }),
    note: endpoint({
      subject: "lag.it.incidents.note",
      request: z.strictObject({ id: z.string().min(1), by, note: z.string().min(1), prevention: z.boolean().default(false) }),
      reply: IncidentSummary,
      description: "Adds a note to the timeline; with `prevention`, it is what will keep it from happening again.",
      example: { request: { id: summaryExample.id, by: "ana", note: "disk swapped" }, reply: summaryExample },
    }),
    resolve: endpoint({
      subject: "lag.it.incidents.resolve",
      request: z.strictObject({ id: z.string().min(1), by, note: z.string().optional() }),
      reply: IncidentSummary,
      description: "A person resolves it; alerts that fire again open a new one.",
      example: { request: { id: summaryExample.id, by: "ana", note: "fixed by hand" }, reply: { ...summaryExample, state: "resolved" } },
    }),
    silence: endpoint({
      subject: "lag.it.incidents.silence",
      request: z.strictObject({
        matchers: z.record(z.string(), z.string()).refine((m) => Object.keys(m).length > 0, "at least one matcher"),
        /** How long, in ms, from now or from `startsAt`. */
        forMs: z.number().int().positive(),
        startsAt: IsoTime.optional(),
        by,
        note: z.string().default(""),
      }),
      reply: Silence,
      description: "Creates a silence (maintenance window): matched alerts are recorded but notify no one.",
      example: {
        request: { matchers: { container: "immich" }, forMs: 7_200_000, by: "ana", note: "upgrade" },
        reply: silenceChanged.example.silence,
      },
    }),
    silences: endpoint({
      subject: "lag.it.incidents.silences",
      request: z.strictObject({ all: z.boolean().default(false) }),
      reply: z.object({ silences: z.array(Silence.extend({ active: z.boolean(), stale: z.boolean() })) }),
      description:
        "Silences not yet over (all of them with `all`), each with whether it is active and whether it has matched nothing for long.",
      example: { request: {}, reply: { silences: [{ ...silenceChanged.example.silence, active: true, stale: false }] } },
    }),
    expireSilence: endpoint({
      subject: "lag.it.incidents.silence.expire",
      request: z.strictObject({ id: z.string().min(1), by }),
      reply: Silence,
      description: "Ends a silence now; 404 when unknown.",
      example: { request: { id: silenceChanged.example.silence.id, by: "ana" }, reply: silenceChanged.example.silence },
    }),
    measures: endpoint({
      subject: "lag.it.incidents.measures",
      request: z.strictObject({ days: z.number().int().positive().max(366).default(30) }),
      reply: Measures,
      description: "MTTA and MTTR per severity, incidents per week, and repeating patterns over the last days.",
      example: { request: {}, reply: measuresExample },
    }),
  },
});

/** The incident worker's inbox of alerts, from every worker that raises them (one durable consumer). */
export const incidentsAlertsInbox = defineConsumer({
  durable: "it-incidents-alerts",
  stream: itStream,
  principal: "it-incidents",
  events: [...alertEvents],
  description: "every alert of every IT worker, grouped into incidents",
  maxDeliver: 5,
  ackWait: 30_000,
});
