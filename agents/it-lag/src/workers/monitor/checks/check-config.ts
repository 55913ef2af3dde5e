import { isIP } from "node:net";
import { z } from "zod";
import { duration, SecretRef } from "@lag/config";
import { CheckKind, Slug } from "@lag/contracts";
import { duplicateNames, isRecord } from "../unique-names.ts";

/**
 * Service checks as the operator lists them under `it.monitor.checks`:
 *
 *   - name: immich-web            # unique; the result's `check` and a subject token
 *     kind: http                  # http | tcp | dns | tls | ping | pihole
 *     interval: 30s               # optional; the monitor's interval by default
 *     timeout: 5s                 # optional; 5s by default, must be shorter than interval
 *     url: https://127.0.0.1/api/server/ping
 *     hostHeader: photos.lagrieta.es   # through Traefik: connect to the URL, ask for this vhost
 *     insecure: true              # Traefik's default certificate is self-signed
 *     expectStatus: [200, 204]    # 200-399 by default (redirects are not followed)
 *     bodyMatch: "pong"           # a regular expression the body must match
 *   - { name: poste-imap, kind: tcp, host: 127.0.0.1, port: 993 }
 *   - { name: pihole, kind: dns, query: kronos.lan, resolver: "192.168.1.2:53", expect: [192.168.1.10] }
 *   - { name: photos-cert, kind: tls, host: photos.lagrieta.es }
 *   - { name: router, kind: ping, host: 192.168.1.1 }
 *   - { name: pihole-api, kind: pihole, url: http://192.168.1.2, password: { file: /etc/lag/secrets/pihole } }
 *
 * A dns check names what it resolves `query`, because `name` is the check's own name.
 *
 * How many days before expiry a certificate is a problem is the alert rules' business
 * (`check.tls_days_left < 14`): the tls check only reports the days.
 */

/** Five seconds: long enough for a slow NAS to answer, short enough to report a hang each interval. */
export const DEFAULT_TIMEOUT_MS = 5_000;
export const DEFAULT_PING_COUNT = 3;

const HOSTNAME = /^(?=.{1,253}\.?$)[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

/** A host name or an IP address, without scheme or port; never starting with "-" (it reaches argv of ping). */
const Host = z.string({ error: "expected a host name or IP address" }).refine((v) => isIP(v) !== 0 || HOSTNAME.test(v), {
  error: (iss) => `${JSON.stringify(iss.input)} is not a host name or IP address (no scheme, no port, no path)`,
});

const Port = z
  .number({ error: "expected a port number" })
  .int("expected a whole port number")
  .min(1, "ports run from 1 to 65535")
  .max(65_535, "ports run from 1 to 65535");

/** A zero interval would spin the runner, a zero timeout fail every check: both must be positive. */
const PositiveDuration = duration.refine((ms) => ms > 0, "must be longer than 0");

const Timing = {
  interval: PositiveDuration.optional(),
  timeout: PositiveDuration.default(DEFAULT_TIMEOUT_MS),
};

const HttpStatus = z
  .number({ error: "expected an HTTP status code" })
  .int()
  .min(100, "HTTP status codes run from 100 to 599")
  .max(599, "HTTP status codes run from 100 to 599");

const Regex = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: `not a valid regular expression: ${(err as Error).message}`, input: source });
  }
});

/** host[:port] as in a Host header: Traefik routes on it, and it becomes the TLS SNI name. */
const HostHeader = z.string().refine(
  (v) => {
    const m = /^(.+?)(?::(\d{1,5}))?$/.exec(v);
    return m !== null && HOSTNAME.test(m[1]!) && isIP(m[1]!) === 0;
  },
  { error: (iss) => `${JSON.stringify(iss.input)} is not a host name (optionally with :port) for the Host header` },
);

/** A TLS server name (SNI): a DNS name, never an IP address (RFC 6066). */
const ServerName = z.string().refine((v) => HOSTNAME.test(v) && isIP(v) === 0, {
  error: (iss) => `${JSON.stringify(iss.input)} is not a DNS name to send as TLS server name (SNI)`,
});

/** "ip" or "ip:port", IPv6 with a port in brackets ("[fd00::2]:53"): what `Resolver.setServers` takes. */
const Resolver = z.string().refine((v) => parseResolver(v) !== undefined, {
  error: (iss) => `${JSON.stringify(iss.input)} is not a resolver address; expected "ip" or "ip:port" (IPv6: "[addr]:port")`,
});

export function parseResolver(v: string): { address: string; port: number } | undefined {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(v) ?? /^([^:]+)(?::(\d+))?$/.exec(v) ?? /^([0-9a-f:]+)()$/i.exec(v);
  if (!m || isIP(m[1]!) === 0) return undefined;
  const port = m[2] ? Number(m[2]) : 53;
  return port >= 1 && port <= 65_535 ? { address: m[1]!, port } : undefined;
}

export const DNS_TYPES = ["A", "AAAA", "CNAME", "MX", "TXT"] as const;
export const HTTP_METHODS = ["GET", "HEAD"] as const;

const HTTP_FIELDS = {
  name: Slug,
  kind: z.literal("http"),
  ...Timing,
  url: z.url({ protocol: /^https?$/, error: "expected an http:// or https:// URL" }),
  method: z.enum(HTTP_METHODS, { error: `expected one of ${HTTP_METHODS.join(", ")}` }).default("GET"),
  /** One status or a list; absent means any of 200-399 (redirects are not followed, so a 301 is "up"). */
  expectStatus: z
    .union([HttpStatus, z.array(HttpStatus).min(1, "list at least one status")], { error: "expected a status code or a list of them" })
    .optional(),
  bodyMatch: Regex.optional(),
  hostHeader: HostHeader.optional(),
  /** Skip certificate verification: for self-signed certificates (Traefik's default one, a NAS's). */
  insecure: z.boolean({ error: "expected true or false" }).default(false),
  /** A PEM file of the CA that signed the server's certificate (an internal CA), instead of `insecure`. */
  ca: z.string().min(1).optional(),
  headers: z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9a-z-]+$/i, "not a valid header name"), z.string()).optional(),
};

const TCP_FIELDS = { name: Slug, kind: z.literal("tcp"), ...Timing, host: Host, port: Port };

const DNS_FIELDS = {
  name: Slug,
  kind: z.literal("dns"),
  ...Timing,
  /** The name to resolve (the check's own name is `name`, hence `query`). */
  query: z
    .string()
    .min(1)
    .refine((v) => HOSTNAME.test(v), { error: (iss) => `${JSON.stringify(iss.input)} is not a DNS name` }),
  /** The server to ask (Pi-hole); the host's own resolvers when absent. */
  resolver: Resolver.optional(),
  type: z.enum(DNS_TYPES, { error: `expected one of ${DNS_TYPES.join(", ")}` }).default("A"),
  /** Values that must all be in the answer (addresses; for CNAME/MX the names, for TXT the strings). */
  expect: z.array(z.string().min(1)).min(1, "list at least one value, or leave expect out").optional(),
};

const TLS_FIELDS = {
  name: Slug,
  kind: z.literal("tls"),
  ...Timing,
  host: Host,
  port: Port.default(443),
  /** The SNI name when it differs from host (connecting by IP to a vhost). */
  servername: ServerName.optional(),
};

const PING_FIELDS = {
  name: Slug,
  kind: z.literal("ping"),
  ...Timing,
  host: Host,
  count: z
    .number({ error: "expected a number of echo requests" })
    .int()
    .min(1, "send at least 1")
    .max(20, "at most 20 per run")
    .default(DEFAULT_PING_COUNT),
};

const PIHOLE_FIELDS = {
  name: Slug,
  kind: z.literal("pihole"),
  ...Timing,
  /** Where the Pi-hole's web server answers: `http://192.168.1.2` (v6 also serves https with a self-signed certificate). */
  url: z.url({ protocol: /^https?$/, error: "expected an http:// or https:// URL" }),
  /** v6: the web password or an app password; v5: the API token. None when the Pi-hole has no password. */
  password: SecretRef.optional(),
  /** Which API: found by itself (v6 answers /api/auth, v5 does not), or said. */
  api: z.enum(["auto", "v6", "v5"], { error: "expected auto, v6 or v5" }).default("auto"),
  insecure: z.boolean({ error: "expected true or false" }).default(false),
};

function strict<S extends z.ZodRawShape>(kind: string, fields: S) {
  return z.strictObject(fields, {
    error: (iss) =>
      iss.code === "unrecognized_keys"
        ? `unknown field${iss.keys.length > 1 ? "s" : ""} ${iss.keys.join(", ")}; a ${kind} check has ${Object.keys(fields).join(", ")}`
        : undefined,
  });
}

export const HttpCheck = strict("http", HTTP_FIELDS);
export const TcpCheck = strict("tcp", TCP_FIELDS);
export const DnsCheck = strict("dns", DNS_FIELDS);
export const TlsCheck = strict("tls", TLS_FIELDS);
export const PingCheck = strict("ping", PING_FIELDS);
export const PiholeCheck = strict("pihole", PIHOLE_FIELDS);
export type HttpCheck = z.infer<typeof HttpCheck>;
export type TcpCheck = z.infer<typeof TcpCheck>;
export type DnsCheck = z.infer<typeof DnsCheck>;
export type TlsCheck = z.infer<typeof TlsCheck>;
export type PingCheck = z.infer<typeof PingCheck>;
export type PiholeCheck = z.infer<typeof PiholeCheck>;

/** One check, any kind, without the checks between fields (see `checkProblems`). */
export const CheckFields = z.discriminatedUnion("kind", [HttpCheck, TcpCheck, DnsCheck, TlsCheck, PingCheck, PiholeCheck], {
  error: (iss) => (iss.code === "invalid_union" ? `expected kind: ${CheckKind.options.join(" | ")}` : undefined),
});
export type CheckConfig = z.infer<typeof CheckFields>;
export type CheckInput = z.input<typeof CheckFields>;

interface Problem {
  path: Array<string | number>;
  message: string;
}

/** Rules between fields of a check that parsed on its own. */
function checkProblems(c: CheckConfig): Problem[] {
  const out: Problem[] = [];
  // Refinements do not stop zod, so these rules may see a value already reported (interval: 0).
  if (c.interval !== undefined && c.interval > 0 && c.timeout >= c.interval) {
    out.push({ path: ["timeout"], message: `timeout (${c.timeout} ms) must be shorter than interval (${c.interval} ms)` });
  }
  if (c.kind === "http") {
    if (c.method === "HEAD" && c.bodyMatch !== undefined)
      out.push({ path: ["bodyMatch"], message: "a HEAD response has no body; use method GET" });
    const https = c.url.startsWith("https:");
    if (!https && c.insecure) out.push({ path: ["insecure"], message: "only applies to https:// URLs" });
    if (!https && c.ca !== undefined) out.push({ path: ["ca"], message: "only applies to https:// URLs" });
    if (c.insecure && c.ca !== undefined)
      out.push({ path: ["ca"], message: "insecure skips verification, so ca would be ignored; keep one of them" });
    if (c.headers && Object.keys(c.headers).some((h) => h.toLowerCase() === "host")) {
      out.push({ path: ["headers"], message: "set the Host header with hostHeader (it also sets the TLS server name)" });
    }
  }
  if (c.kind === "pihole" && c.insecure && !c.url.startsWith("https:"))
    out.push({ path: ["insecure"], message: "only applies to https:// URLs" });
  if (c.kind === "ping") {
    // ping's deadline (-w) is in whole seconds, and it sends one request every 0.2 s.
    const needed = Math.max(1_000, Math.ceil((c.count - 1) * 200 + 1_000));
    if (c.timeout < needed) out.push({ path: ["timeout"], message: `${c.count} echo requests need a timeout of at least ${needed} ms` });
  }
  if (c.kind === "dns" && c.expect && (c.type === "A" || c.type === "AAAA")) {
    const family = c.type === "A" ? 4 : 6;
    c.expect.forEach((v, i) => {
      if (isIP(v) !== family)
        out.push({ path: ["expect", i], message: `${JSON.stringify(v)} is not an IPv${family} address (type ${c.type})` });
    });
  }
  return out;
}

/** One check validated on its own, fields and the rules between them. */
export const CheckConfig = CheckFields.superRefine((c, ctx) => {
  for (const p of checkProblems(c)) ctx.addIssue({ code: "custom", path: p.path, message: p.message, input: c });
});

/**
 * The list under `it.monitor.checks`. Every message starts with the check's name and the path
 * holds its index and field, so the operator reads `it.monitor.checks[2].port: check imap: ports
 * run from 1 to 65535`. Every problem of every check is reported at once, duplicate names included.
 */
export const ChecksConfig = z.array(z.unknown(), { error: "expected a list of checks" }).transform((items, ctx): CheckConfig[] => {
  const checks: CheckConfig[] = [];
  items.forEach((item, index) => {
    const name = isRecord(item) && typeof item["name"] === "string" && item["name"] !== "" ? item["name"] : undefined;
    const prefix = name ? `check ${name}: ` : "";
    const parsed = CheckConfig.safeParse(item);
    if (parsed.success) {
      checks.push(parsed.data);
      return;
    }
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: "custom", path: [index, ...issue.path], message: `${prefix}${issue.message}`, input: item });
    }
  });
  const duplicates = duplicateNames(items);
  if (duplicates.length > 0) {
    ctx.addIssue({ code: "custom", path: [], message: `check names must be unique: ${duplicates.join("; ")}`, input: items });
  }
  return checks;
});
