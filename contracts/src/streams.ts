import { defineStream, type StreamDescriptor } from "./descriptors.ts";
import { principalNames, type Principal } from "./principals.ts";

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

/** IT_LAG's incidents: their changes, the notifications for people, the daily reports. */
export const incidentsStream = defineStream({
  name: "LAG_IT_INCIDENTS",
  description: "IT_LAG incidents (every transition), notifications for people, daily reports",
  owner: "it-incidents",
  maxAge: 365 * DAY,
  maxBytes: 1024 ** 3,
  duplicateWindow: 10 * 60_000,
});

/** IT_LAG's backup runs, step by step: the catalogue's source, kept a year. */
export const backupsStream = defineStream({
  name: "LAG_IT_BACKUPS",
  description: "IT_LAG backup runs: started, completed per repository, failed, pruned",
  owner: "it-backup",
  maxAge: 365 * DAY,
  maxBytes: 256 * 1024 ** 2,
  duplicateWindow: 10 * 60_000,
});

/** IT_LAG's mail: what was sent (or could not be), and the notification mails read into events. */
export const mailStream = defineStream({
  name: "LAG_IT_MAIL",
  description: "IT_LAG mail: mails sent or given up, mails received and what they were classified as",
  owner: "it-mail",
  maxAge: 365 * DAY,
  maxBytes: 256 * 1024 ** 2,
  duplicateWindow: 60 * 60_000,
});

/** IT_LAG's subscription register: every change, what the sources said, every renewal. */
export const subscriptionsStream = defineStream({
  name: "LAG_IT_SUBSCRIPTIONS",
  description: "IT_LAG subscriptions: register changes, expiries read from their sources, renewals",
  owner: "it-subscriptions",
  maxAge: 3 * 365 * DAY,
  maxBytes: 128 * 1024 ** 2,
  duplicateWindow: 60 * 60_000,
});

/** IT_LAG's storage: reservations granted, refused, shrunk, released, expired; low-space warnings. */
export const storageStream = defineStream({
  name: "LAG_IT_STORAGE",
  description: "IT_LAG storage: space reservations (the audit of who held which space) and low-space warnings",
  owner: "it-storage",
  maxAge: 365 * DAY,
  maxBytes: 128 * 1024 ** 2,
  duplicateWindow: 10 * 60_000,
});

/** IT_LAG's routine maintenance: each task's result, image updates pending. */
export const maintenanceStream = defineStream({
  name: "LAG_IT_MAINTENANCE",
  description: "IT_LAG maintenance: image update checks, log clean-up, Docker log sizes, SQLite optimisation, OS updates, failed logins",
  owner: "it-maintenance",
  maxAge: 180 * DAY,
  maxBytes: 256 * 1024 ** 2,
  duplicateWindow: 10 * 60_000,
});

/** MEDIA_LAG's imports: reserved, paused for space, finished, backed up. */
export const mediaStream = defineStream({
  name: "LAG_MEDIA",
  description: "MEDIA_LAG imports: started on reserved space, paused and resumed with the space, finished, backed up",
  owner: "media",
  maxAge: 365 * DAY,
  maxBytes: 64 * 1024 ** 2,
  duplicateWindow: 10 * 60_000,
});

/** Approval requests of every agent and CEO_LAG's decisions: the audit trail of every action asked for. */
export const approvalsStream = defineStream({
  name: "LAG_APPROVALS",
  description: "approval requests from every agent and CEO_LAG's decisions",
  owner: "ceo",
  maxAge: 365 * DAY,
  maxBytes: 256 * 1024 ** 2,
  duplicateWindow: 60 * 60_000,
});

export const DLQ_PREFIX = "lag.dlq";

/**
 * A principal's own dead letters: `lag.dlq.<principal>.<original subject>`, the reason in headers.
 * One stream per principal, owned by it: each can always park what it cannot use, and none can
 * narrow, seal or purge another's (the operator may read all of them and clear them).
 */
export function dlqStreamOf(principal: Principal): StreamDescriptor {
  return defineStream({
    name: `LAG_DLQ_${principal.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}`,
    description: `dead letters of ${principal}: messages it could not use (failed validation, exhausted deliveries), reason in headers`,
    owner: principal,
    subjects: [`${DLQ_PREFIX}.${principal}.>`],
    maxAge: 30 * DAY,
    maxBytes: 64 * 1024 ** 2,
    duplicateWindow: 2 * 60_000,
  });
}

/** Every principal's dead-letter stream. */
export const dlqStreams: readonly StreamDescriptor[] = principalNames.map(dlqStreamOf);

/** Whether a stream is a dead-letter stream. */
export function isDlqStream(name: string): boolean {
  return dlqStreams.some((s) => s.name === name);
}

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
