import { z } from "zod";
import { defineConsumer, defineService, endpoint } from "../descriptors.ts";
import { Severity } from "../it/common.ts";
import { DailyReport, dailyReport, incidentChanged, notification } from "../it/incidents.ts";
import { incidentsStream } from "../streams.ts";

/** CEO_LAG's inbox of IT incidents and daily reports: what it missed while offline included. */
export const ceoIncidentsInbox = defineConsumer({
  durable: "ceo-incidents",
  stream: incidentsStream,
  principal: "ceo",
  events: [incidentChanged, notification, dailyReport],
  description: "IT incidents (critical ones at once), notifications and daily reports, kept by CEO_LAG",
  maxDeliver: 5,
  ackWait: 30_000,
});

/** Seven daily reports rolled up. */
export const WeeklyRollup = z.object({
  from: z.string(),
  to: z.string(),
  days: z.number().int(),
  incidents: z.object({ opened: z.number().int(), resolved: z.number().int() }),
  bySeverity: z.array(z.object({ severity: Severity, incidents: z.number().int() })),
  worstHealth: z.array(z.object({ host: z.string(), health: z.string(), days: z.number().int() })),
  patterns: z.array(z.string()),
});

export const reportsService = defineService({
  name: "ceo-reports",
  version: "0.1.0",
  description: "The reports CEO_LAG keeps: the latest daily IT report, and the weekly roll-up",
  server: "ceo",
  callers: "all",
  endpoints: {
    latest: endpoint({
      subject: "lag.ceo.reports.latest",
      request: z.strictObject({ weekly: z.boolean().default(false) }),
      reply: z.object({ daily: DailyReport.optional(), weekly: WeeklyRollup.optional(), kept: z.number().int() }),
      description: "The latest daily report (with `weekly`, the roll-up of the last seven), and how many CEO_LAG keeps.",
      example: { request: {}, reply: { daily: dailyReport.example, kept: 12 } },
    }),
  },
});
