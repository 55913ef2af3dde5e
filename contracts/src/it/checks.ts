import { z } from "zod";
import { defineEvent } from "../descriptors.ts";
import { HostName, IsoTime, Slug } from "./common.ts";

export const CheckKind = z.enum(["http", "tcp", "dns", "tls", "ping", "pihole"]);
export type CheckKind = z.infer<typeof CheckKind>;

/** What a Pi-hole's API says (v6 `/api/…`, or v5 `api.php`): its blocking, the last 24 h of queries, its lists and upstreams. */
export const PiholeStats = z.object({
  api: z.enum(["v6", "v5"]),
  blocking: z.boolean(),
  /** Seconds until blocking switches back, when it was switched with a timer (v6). */
  blockingTimerSec: z.number().optional(),
  /** Queries and blocked ones over the last 24 h. */
  queries: z.number().int().nonnegative(),
  blocked: z.number().int().nonnegative(),
  blockedPct: z.number().min(0).max(100),
  /** Domains on the gravity (block) list, and when it was last rebuilt. */
  domainsBlocked: z.number().int().nonnegative(),
  gravityUpdatedAt: IsoTime.optional(),
  gravityAgeHours: z.number().nonnegative().optional(),
  topBlocked: z.array(z.object({ domain: z.string(), count: z.number().int().nonnegative() })),
  /** Where queries went (the blocklist and the cache count as upstreams in Pi-hole's figures), and how fast each answered (v6). */
  upstreams: z.array(
    z.object({ name: z.string(), queries: z.number().int().nonnegative(), responseMs: z.number().nonnegative().optional() }),
  ),
});
export type PiholeStats = z.infer<typeof PiholeStats>;

export const CheckResult = z.object({
  host: HostName,
  check: Slug,
  kind: CheckKind,
  /** What was checked, human-readable: a URL, host:port, a name@resolver. */
  target: z.string().min(1),
  ok: z.boolean(),
  time: IsoTime,
  latencyMs: z.number().nonnegative().optional(),
  /** Why it failed, or a short note on success (status code, answer, expiry). */
  detail: z.string().optional(),
  httpStatus: z.number().int().optional(),
  tlsDaysLeft: z.number().optional(),
  tlsNotAfter: IsoTime.optional(),
  /** DNS answers. */
  addresses: z.array(z.string()).optional(),
  /** A pihole check's figures. */
  pihole: PiholeStats.optional(),
});
export type CheckResult = z.infer<typeof CheckResult>;

export const checkResult = defineEvent({
  type: "es.lagrieta.it.check.result.v1",
  subject: "lag.it.check.result.{host}.{check}",
  schema: CheckResult,
  publisher: "it-monitor",
  audience: "all",
  tokens: (d) => ({ host: d.host, check: d.check }),
  description: "The outcome of one service check (HTTP, TCP, DNS, TLS expiry, ping, a Pi-hole's API) each time it runs.",
  example: {
    host: "kronos",
    check: "immich-web",
    kind: "http",
    target: "https://photos.lagrieta.es/api/server/ping",
    ok: true,
    time: "2026-11-23T06:00:00.000Z",
    latencyMs: 42.5,
    httpStatus: 200,
    detail: "200 OK",
  },
});
