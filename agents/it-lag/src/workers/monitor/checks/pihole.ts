import { request as httpRequest, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import { withDeadline } from "@lag/async";
import { readSecret } from "@lag/config";
import type { PiholeStats } from "@lag/contracts";
import type { PiholeCheck } from "./check-config.ts";
import { describeNetworkError } from "./network-errors.ts";
import { elapsedMs, type CheckOutcome } from "./outcome.ts";

interface Answer {
  status: number;
  body: unknown;
}

class PiholeError extends Error {
  override readonly name = "PiholeError";
}

/** One JSON exchange with the Pi-hole (its web server: a self-signed certificate is common, hence `insecure`). */
function exchange(
  check: PiholeCheck,
  method: "GET" | "POST" | "DELETE",
  path: string,
  signal: AbortSignal,
  o: { sid?: string; body?: unknown } = {},
): Promise<Answer> {
  const url = new URL(path, check.url.endsWith("/") ? check.url : `${check.url}/`);
  const https = url.protocol === "https:";
  const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
  const options: RequestOptions & { rejectUnauthorized?: boolean } = {
    method,
    hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port || (https ? 443 : 80),
    path: `${url.pathname}${url.search}`,
    headers: {
      "user-agent": "lag-monitor",
      accept: "application/json",
      ...(o.sid ? { "x-ftl-sid": o.sid } : {}),
      ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
    },
    signal,
    ...(https ? { rejectUnauthorized: !check.insecure } : {}),
  };
  const send = https ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // Not JSON (an HTML error page): kept as text for the message.
        }
        resolve({ status: res.statusCode ?? 0, body });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(payload);
  });
}

/** Sessions by check and URL: Pi-hole v6 has few API seats, so a session is kept until it expires or is refused. */
const sessions = new Map<string, { sid: string; until: number }>();
const sessionKey = (check: PiholeCheck) => `${check.name} ${check.url}`;

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : Number(v) || 0);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" ? (v as Record<string, unknown>) : {});

/** v6: POST /api/auth with the password (or an app password); no password configured means none is set. */
async function login(check: PiholeCheck, signal: AbortSignal): Promise<string | undefined> {
  if (!check.password) return undefined;
  const r = await exchange(check, "POST", "api/auth", signal, { body: { password: readSecret(check.password) } });
  const session = obj(obj(r.body).session);
  if (r.status === 401 || session.valid === false)
    throw new PiholeError(`Pi-hole refused the password (${r.status}${session.message ? `: ${String(session.message)}` : ""})`);
  if (r.status === 429) throw new PiholeError("Pi-hole has no API seat free (429): too many sessions open");
  if (r.status !== 200 || typeof session.sid !== "string") throw new PiholeError(`POST /api/auth answered ${r.status}`);
  sessions.set(sessionKey(check), { sid: session.sid, until: Date.now() + Math.max(30, num(session.validity) - 30) * 1000 });
  return session.sid;
}

/** A v6 GET with the kept session: a 401 (expired, or the Pi-hole restarted) logs in again, once. */
async function v6Get(check: PiholeCheck, path: string, signal: AbortSignal): Promise<Record<string, unknown>> {
  const held = sessions.get(sessionKey(check));
  let sid = held && held.until > Date.now() ? held.sid : await login(check, signal);
  let r = await exchange(check, "GET", path, signal, sid ? { sid } : {});
  if (r.status === 401) {
    sessions.delete(sessionKey(check));
    sid = await login(check, signal);
    if (!sid) throw new PiholeError(`${path} needs a password: set password on the check`);
    r = await exchange(check, "GET", path, signal, { sid });
  }
  if (r.status === 401) throw new PiholeError(`${path}: Pi-hole refused the session (401)`);
  if (r.status !== 200) throw new PiholeError(`${path} answered ${r.status}`);
  return obj(r.body);
}

async function statsV6(check: PiholeCheck, signal: AbortSignal): Promise<PiholeStats> {
  const summary = await v6Get(check, "api/stats/summary", signal);
  const blocking = await v6Get(check, "api/dns/blocking", signal);
  const top = await v6Get(check, "api/stats/top_domains?blocked=true&count=10", signal);
  const upstreams = await v6Get(check, "api/stats/upstreams", signal);
  const q = obj(summary.queries);
  const gravity = obj(summary.gravity);
  const lastUpdate = num(gravity.last_update);
  return {
    api: "v6",
    blocking: blocking.blocking === "enabled",
    ...(typeof blocking.timer === "number" ? { blockingTimerSec: blocking.timer } : {}),
    queries: num(q.total),
    blocked: num(q.blocked),
    blockedPct: Math.round(num(q.percent_blocked) * 100) / 100,
    domainsBlocked: num(gravity.domains_being_blocked),
    ...(lastUpdate > 0 ? { gravityUpdatedAt: new Date(lastUpdate * 1000).toISOString() } : {}),
    topBlocked: (Array.isArray(top.domains) ? top.domains : [])
      .slice(0, 10)
      .map((d) => ({ domain: String(obj(d).domain), count: num(obj(d).count) })),
    upstreams: (Array.isArray(upstreams.upstreams) ? upstreams.upstreams : []).map((u) => {
      const x = obj(u);
      const response = num(obj(x.statistics).response);
      return {
        name: String(x.name ?? x.ip ?? "?"),
        queries: num(x.count),
        // FTL reports seconds; shown in ms (the cache and the blocklist have none).
        ...(response > 0 ? { responseMs: Math.round(response * 1000 * 10) / 10 } : {}),
      };
    }),
  };
}

/** v5: /admin/api.php with the API token; an unauthorised request gets `[]` rather than a 401. */
async function statsV5(check: PiholeCheck, signal: AbortSignal): Promise<PiholeStats> {
  const token = check.password ? `&auth=${encodeURIComponent(readSecret(check.password))}` : "";
  const get = async (query: string) => {
    const r = await exchange(check, "GET", `admin/api.php?${query}${token}`, signal);
    if (r.status !== 200) throw new PiholeError(`api.php?${query} answered ${r.status}`);
    if (Array.isArray(r.body)) throw new PiholeError(`api.php?${query}: Pi-hole refused the API token (an empty answer)`);
    return obj(r.body);
  };
  const s = await get("summaryRaw");
  const top = await get("topItems=10");
  const fwd = await get("getForwardDestinations");
  const abs = num(obj(s.gravity_last_updated).absolute);
  const dests = obj(fwd.forward_destinations);
  const queries = num(s.dns_queries_today);
  return {
    api: "v5",
    blocking: s.status === "enabled",
    queries,
    blocked: num(s.ads_blocked_today),
    blockedPct: Math.round(num(s.ads_percentage_today) * 100) / 100,
    domainsBlocked: num(s.domains_being_blocked),
    ...(abs > 0 ? { gravityUpdatedAt: new Date(abs * 1000).toISOString() } : {}),
    topBlocked: Object.entries(obj(top.top_ads))
      .slice(0, 10)
      .map(([domain, count]) => ({ domain, count: num(count) })),
    // v5 gives each destination's share in %: as queries over the same 24 h.
    upstreams: Object.entries(dests).map(([name, pct]) => ({ name: name.split("|")[0]!, queries: Math.round((queries * num(pct)) / 100) })),
  };
}

/** Which API answers: v6 has /api/auth (401 or 200); a v5 web server answers 404 there. */
async function apiOf(check: PiholeCheck, signal: AbortSignal): Promise<"v6" | "v5"> {
  if (check.api !== "auto") return check.api;
  const r = await exchange(check, "GET", "api/auth", signal);
  return r.status === 404 ? "v5" : "v6";
}

/** The Pi-hole's state and figures: up means its API answered and accepted the credentials; blocking is a sample of its own. */
export async function run(check: PiholeCheck, now: () => Date): Promise<CheckOutcome> {
  const base = { check: check.name, kind: "pihole" as const, target: check.url, time: now().toISOString() };
  const started = performance.now();
  try {
    const stats = await withDeadline(check.timeout, async (signal) =>
      (await apiOf(check, signal)) === "v6" ? statsV6(check, signal) : statsV5(check, signal),
    );
    const age = stats.gravityUpdatedAt ? (now().getTime() - Date.parse(stats.gravityUpdatedAt)) / 3_600_000 : undefined;
    return {
      ...base,
      ok: true,
      latencyMs: elapsedMs(started),
      pihole: { ...stats, ...(age !== undefined ? { gravityAgeHours: Math.round(age * 10) / 10 } : {}) },
      detail: `blocking ${stats.blocking ? "on" : "OFF"}; ${stats.blockedPct} % of ${stats.queries} queries blocked (${stats.api})`,
    };
  } catch (err) {
    return { ...base, ok: false, detail: err instanceof PiholeError ? err.message : describeNetworkError(err) };
  }
}

/** Forgets the kept sessions (tests, and a check removed from the config). */
export function forgetSessions(): void {
  sessions.clear();
}
