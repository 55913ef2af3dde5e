import { defineStream } from "./descriptors.ts";

const DAY = 86_400_000;

/** Durable IT_LAG events: alerts, reports, later incidents and backup results. */
export const itStream = defineStream({
  name: "LAG_IT",
  description: "IT_LAG events that must not be lost (alerts, status reports)",
  owner: "it-monitor",
  maxAge: 90 * DAY,
  maxBytes: 1024 ** 3,
  duplicateWindow: 10 * 60_000,
});

/** Dead letters of every principal: `lag.dlq.<principal>.<original subject>`, reason in headers. */
export const dlqStream = defineStream({
  name: "LAG_DLQ",
  description: "messages that failed validation or exhausted their deliveries, with the reason in headers",
  // Every principal parks its dead letters here; IT_LAG, which looks after the system, keeps it.
  owner: "it-monitor",
  subjects: ["lag.dlq.>"],
  maxAge: 30 * DAY,
  maxBytes: 256 * 1024 ** 2,
  duplicateWindow: 2 * 60_000,
});

export const DLQ_PREFIX = "lag.dlq";

export function dlqSubject(principal: string, originalSubject: string): string {
  return `${DLQ_PREFIX}.${principal}.${originalSubject}`;
}

/** `lag.dlq.<principal>.<original subject>` → who parked it and where it was going; undefined for another subject. */
export function parseDlqSubject(subject: string): { principal: string; subject: string } | undefined {
  if (!subject.startsWith(`${DLQ_PREFIX}.`)) return undefined;
  const [principal, ...rest] = subject.slice(DLQ_PREFIX.length + 1).split(".");
  if (!principal || rest.length === 0) return undefined;
  return { principal, subject: rest.join(".") };
}

/**
 * The dead-letter filter for a pattern of original subjects: `lag.it.>` → `lag.dlq.*.lag.it.>` (the
 * principal is one token, so every principal's are matched); a pattern already under lag.dlq is kept.
 */
export function dlqFilter(originalPattern?: string): string {
  if (originalPattern === undefined) return `${DLQ_PREFIX}.>`;
  if (originalPattern.startsWith(`${DLQ_PREFIX}.`)) return originalPattern;
  return `${DLQ_PREFIX}.*.${originalPattern}`;
}
