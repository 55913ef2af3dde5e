import { defineStream } from "./descriptors.ts";

const DAY = 86_400_000;

/** Durable IT_LAG events: alerts, reports, later incidents and backup results. */
export const itStream = defineStream({
  name: "LAG_IT",
  description: "IT_LAG events that must not be lost (alerts, status reports)",
  maxAge: 90 * DAY,
  maxBytes: 1024 ** 3,
  duplicateWindow: 10 * 60_000,
});

/** Dead letters of every principal: `lag.dlq.<principal>.<original subject>`, reason in headers. */
export const dlqStream = defineStream({
  name: "LAG_DLQ",
  description: "messages that failed validation or exhausted their deliveries, with the reason in headers",
  subjects: ["lag.dlq.>"],
  maxAge: 30 * DAY,
  maxBytes: 256 * 1024 ** 2,
  duplicateWindow: 2 * 60_000,
});

export const DLQ_PREFIX = "lag.dlq";

export function dlqSubject(principal: string, originalSubject: string): string {
  return `${DLQ_PREFIX}.${principal}.${originalSubject}`;
}
