import { z } from "zod";

/**
 * Every identity that connects to the bus. In production each one is a NATS user whose
 * permissions are derived from the contracts (see infra/nats/prod.conf, generated).
 * An agent's events live under `lag.<agent>.…`; a principal may only publish the events the
 * contracts say it publishes.
 */
export const PRINCIPALS = {
  "it-monitor": { agent: "it", description: "IT_LAG monitor worker: host metrics, checks, alerts" },
  "it-incidents": { agent: "it", description: "IT_LAG incident worker: alerts into incidents, runbooks behind approvals, daily reports" },
  "it-backup": { agent: "it", description: "IT_LAG backup worker: restic plans, verification, restores, drills" },
  "it-mail": {
    agent: "it",
    description: "IT_LAG mail worker: alerts and digests over SMTP, notification mails read over IMAP into events, approvals by reply",
  },
  "it-subscriptions": {
    agent: "it",
    description:
      "IT_LAG subscription worker: domains, hostnames, certificates and plans, their expiry from the source, renewals through CEO_LAG",
  },
  "it-storage": {
    agent: "it",
    description: "IT_LAG storage worker: space per volume and library folder, reservations for imports, low-space warnings",
  },
  "it-maintenance": {
    agent: "it",
    description:
      "IT_LAG maintenance worker: image update checks, log clean-up, Docker log sizes, SQLite optimisation, OS updates, failed logins",
  },
  ceo: { agent: "ceo", description: "CEO_LAG: reports inbox, approvals and policy" },
  media: { agent: "media", description: "MEDIA_LAG: storage queries, reservations, content backups" },
  cli: { agent: "ops", description: "the `lag` CLI and the operator: reads everything, calls services" },
  dashboard: {
    agent: "dashboard",
    description: "the status page: reads every event for its live view, calls services for what its users see and decide",
  },
  "example-hello": {
    agent: "example",
    description: "the example worker of docs/adding-a-worker.md (examples/hello); never deployed",
    example: true,
  },
} as const satisfies Record<string, { agent: string; description: string; example?: true }>;

export type Principal = keyof typeof PRINCIPALS;
export const principalNames = Object.keys(PRINCIPALS) as Principal[];

/** The principals of a deployment: production NATS users, systemd units, Compose services. Examples are left out. */
export const deployedPrincipals = principalNames.filter((p) => !("example" in PRINCIPALS[p]));
export const Principal = z.enum(principalNames as [Principal, ...Principal[]]);

/** Reply inboxes are per principal, so no identity can read another's replies. */
export function inboxPrefixOf(principal: Principal): string {
  return `_INBOX_${principal.replace(/-/g, "_")}`;
}
