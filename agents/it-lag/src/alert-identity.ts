import { createHash } from "node:crypto";
import type { Alert } from "@lag/contracts";

/**
 * The identity of one alert over its life: the same rule on the same host and series. Labels are
 * sorted so the order samples list them in never changes it. Readable on purpose (it shows in
 * `nats sub` and in incidents): `disk-high/kronos/mount=/mnt/storage,role=storage`.
 */
export function fingerprint(rule: string, host: string, labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  const base = `${rule}/${host}`;
  return keys.length === 0 ? base : `${base}/${keys.map((k) => `${k}=${labels[k]}`).join(",")}`;
}

/**
 * The CloudEvents id of an emitted alert, derived from what makes it unique (which alert, which
 * occurrence, which notification), so that re-publishing after a crash repeats the same
 * `Nats-Msg-Id` and JetStream stores it once. Hashed because label values (mount paths, container
 * names) may hold characters that do not belong in a header.
 */
export function alertId(alert: Pick<Alert, "fingerprint" | "startsAt" | "status" | "repeat">): string {
  const key = JSON.stringify([alert.fingerprint, alert.startsAt, alert.status, alert.repeat]);
  return `alert-${createHash("sha256").update(key).digest("hex").slice(0, 32)}`;
}
