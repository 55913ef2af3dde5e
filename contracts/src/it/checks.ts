import { z } from "zod";
import { defineEvent } from "../descriptors.ts";
import { HostName, IsoTime, Slug } from "./common.ts";

export const CheckKind = z.enum(["http", "tcp", "dns", "tls", "ping"]);
export type CheckKind = z.infer<typeof CheckKind>;

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
});
export type CheckResult = z.infer<typeof CheckResult>;

export const checkResult = defineEvent({
  type: "es.lagrieta.it.check.result.v1",
  subject: "lag.it.check.result.{host}.{check}",
  schema: CheckResult,
  publisher: "it-monitor",
  audience: "all",
  tokens: (d) => ({ host: d.host, check: d.check }),
  description: "The outcome of one service check (HTTP, TCP, DNS, TLS expiry, ping) each time it runs.",
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
