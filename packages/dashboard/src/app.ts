import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Bus } from "@lag/bus";
import { describeEvent, publisherOf, readChain, ServiceError } from "@lag/bus";
import { approvalsService, incidentsService, monitorService } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { AuditTrail } from "./audit.ts";
import type { LoginLimiter } from "./auth/rate-limit.ts";
import { can, type Permission } from "./auth/roles.ts";
import type { Session, Sessions } from "./auth/sessions.ts";
import type { Users } from "./auth/users.ts";
import type { DashboardConfig, Role } from "./config.ts";
import { cookie, parseCookies } from "./http/cookies.ts";
import { HttpError, securityHeaders, type Request, type Response, type Router } from "./http/server.ts";
import { FEED_KINDS, type EventsFeed, type FeedKind } from "./live/feed.ts";
import type { LiveState } from "./live/state.ts";
import type { PageMetrics } from "./metrics.ts";
import { loginPage, shell } from "./pages/html.ts";

const COOKIE = "lag_session";
const ASSETS = new URL("../assets/", import.meta.url);
const ASSET_TYPES: Record<string, string> = { js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8" };
/** The charting library, served from its package (nothing from a CDN). */
const VENDOR: Record<string, string> = {
  "uplot.js": fileURLToPath(new URL("../node_modules/uplot/dist/uPlot.iife.min.js", import.meta.url)),
  "uplot.css": fileURLToPath(new URL("../node_modules/uplot/dist/uPlot.min.css", import.meta.url)),
};

/** Each range with the resolution that fits it: raw samples for an hour, the 1-minute roll-up for a day, 1-hour ones beyond. */
const RANGES: Record<string, { ms: number; stepSec: number }> = {
  "1h": { ms: 3_600_000, stepSec: 10 },
  "24h": { ms: 86_400_000, stepSec: 60 },
  "7d": { ms: 7 * 86_400_000, stepSec: 3_600 },
  "30d": { ms: 30 * 86_400_000, stepSec: 3 * 3_600 },
  "1y": { ms: 365 * 86_400_000, stepSec: 86_400 },
};

export interface AppDeps {
  cfg: DashboardConfig;
  bus: Bus;
  log: Logger;
  sessions: Sessions;
  users: Users;
  limiter: LoginLimiter;
  live: LiveState;
  audit: AuditTrail;
  feed: EventsFeed;
  metrics: PageMetrics;
  now: () => number;
}

type Authed = Request & { session: Session & { role: Role } };

/** A path of this site (`/approvals`), never another site (`//evil.example`, `/\\evil.example`): where a login may send on to. */
function localPath(p: string | null | undefined): boolean {
  return !!p && p.startsWith("/") && !p.startsWith("//") && !p.startsWith("/\\");
}

/** The host of an Origin header; undefined for `null` (a sandboxed frame, a file) or anything unreadable. */
function hostOf(origin: string): string | undefined {
  try {
    return new URL(origin).host || undefined;
  } catch {
    return undefined;
  }
}

/** The page's routes: login and sessions, the pages (a shell the script fills), the JSON API, live updates. */
export function routes(router: Router, d: AppDeps): void {
  const secureFor = (req: Request) => d.cfg.secureCookies === "always" || (d.cfg.secureCookies === "auto" && req.secure);

  /** The request's session with the user's role as the configuration says now; undefined when there is none. */
  const sessionOf = (req: Request): (Session & { role: Role }) | undefined => {
    const s = d.sessions.find(parseCookies(req.headers.cookie)[COOKIE], d.now());
    if (!s) return undefined;
    const role = d.users.roleOf(s.user);
    if (!role) {
      d.sessions.revoke(s.id, d.now());
      return undefined;
    }
    return { ...s, role };
  };

  /** A page: the shell with the user, their CSRF token and the data the script starts from; to the login when not logged in. */
  const shellPage =
    (title: string, name: string, extra?: (req: Authed) => { data?: unknown; head?: string }) =>
    (req: Request): Response => {
      const session = sessionOf(req);
      if (!session) return { status: 303, headers: { location: `/login?next=${encodeURIComponent(req.path)}` } };
      const body = shell({
        title,
        page: name,
        user: { name: session.user, role: session.role },
        csrf: session.csrf,
        ...extra?.({ ...req, session }),
      });
      return { body, headers: { "content-type": "text/html; charset=utf-8" } };
    };

  /**
   * An API call: 401 without a session; a state-changing one needs the session's CSRF token
   * (header X-CSRF-Token), an Origin of this page when the browser sends one, and the permission.
   */
  const api =
    (permission: Permission, action: string, fn: (req: Authed) => Response | undefined | Promise<Response | undefined>) =>
    async (req: Request) => {
      const session = sessionOf(req);
      if (!session) throw new HttpError(401, "log in first");
      const authed = { ...req, session };
      if (req.method !== "GET") {
        const refuse = (status: number, why: string): never => {
          d.audit.record({ user: session.user, action, target: req.path, outcome: "refused", detail: why, address: req.address }, d.now());
          throw new HttpError(status, why);
        };
        if (req.headers["x-csrf-token"] !== session.csrf) refuse(403, "missing or wrong CSRF token: reload the page");
        const origin = req.headers.origin;
        if (origin && hostOf(origin) !== req.headers.host) refuse(403, `a request from ${origin} is not accepted`);
        if (!can(session.role, permission)) refuse(403, `a ${session.role} may not ${action.replace(/-/g, " ")}`);
      } else if (!can(session.role, permission)) throw new HttpError(403, `a ${session.role} may not read this`);
      return fn(authed);
    };

  /** Calls a service for the user; a service's refusal keeps its status, and the action is audited either way. */
  const act = async <T>(
    req: Authed,
    action: string,
    target: string,
    call: () => Promise<T>,
    detail: (r: T) => string,
  ): Promise<Response> => {
    try {
      const r = await call();
      d.audit.record({ user: req.session.user, action, target, outcome: "ok", detail: detail(r), address: req.address }, d.now());
      d.metrics.action(action, "ok");
      return { body: r };
    } catch (err) {
      const status = err instanceof ServiceError ? err.status : 502;
      d.audit.record(
        { user: req.session.user, action, target, outcome: "failed", detail: (err as Error).message, address: req.address },
        d.now(),
      );
      d.metrics.action(action, "failed");
      throw new HttpError(status >= 400 && status < 600 ? status : 502, (err as Error).message);
    }
  };

  const text = (field: unknown, name: string, max = 2000): string | undefined => {
    if (field === undefined || field === "") return undefined;
    if (typeof field !== "string" || field.length > max) throw new HttpError(400, `${name}: a text of at most ${max} characters`);
    return field;
  };

  router
    .on(
      "GET",
      "/login",
      (req): Response =>
        sessionOf(req)
          ? { status: 303, headers: { location: "/" } }
          : {
              body: loginPage({ ...(localPath(req.query.get("next")) ? { next: req.query.get("next")! } : {}) }),
              headers: { "content-type": "text/html; charset=utf-8" },
            },
    )
    .on("POST", "/login", async (req) => {
      const form = await req.body();
      const user = typeof form.user === "string" ? form.user.trim().slice(0, 100) : "";
      const password = typeof form.password === "string" ? form.password : "";
      const now = d.now();
      const wait = Math.max(
        d.limiter.retryAfter(`addr:${req.address}`, d.cfg.login.maxFailuresPerAddress, now),
        d.limiter.retryAfter(`user:${user}`, d.cfg.login.maxFailures, now),
      );
      const html = (status: number, error: string, headers: Record<string, string> = {}) => ({
        status,
        body: loginPage({ error, user, ...(localPath(req.query.get("next")) ? { next: req.query.get("next")! } : {}) }),
        headers: { "content-type": "text/html; charset=utf-8", ...headers },
      });
      if (wait > 0) {
        d.metrics.login("limited");
        d.audit.record(
          {
            user: user || "?",
            action: "login",
            target: "/login",
            outcome: "refused",
            detail: "too many wrong passwords",
            address: req.address,
          },
          now,
        );
        const sec = Math.ceil(wait / 1000);
        return html(429, `Too many wrong passwords: try again in ${sec} s.`, { "retry-after": String(sec) });
      }
      const role = user && password ? await d.users.check(user, password) : undefined;
      if (!role) {
        d.limiter.fail(`addr:${req.address}`, now);
        d.limiter.fail(`user:${user}`, now);
        d.metrics.login("failed");
        d.audit.record(
          {
            user: user || "?",
            action: "login",
            target: "/login",
            outcome: "refused",
            detail: "wrong user or password",
            address: req.address,
          },
          now,
        );
        return html(401, "Wrong user or password.");
      }
      d.limiter.clear(`user:${user}`);
      const { token, session } = d.sessions.open(user, role, req.address, String(req.headers["user-agent"] ?? ""), now);
      d.metrics.login("ok");
      d.audit.record(
        {
          user,
          action: "login",
          target: "/login",
          outcome: "ok",
          detail: `logged in as ${role} (session ${session.id})`,
          address: req.address,
        },
        now,
      );
      const next = req.query.get("next");
      return {
        status: 303,
        headers: {
          location: localPath(next) ? next! : "/",
          "set-cookie": cookie(COOKIE, token, { maxAgeSec: Math.floor(d.cfg.session.ttl / 1000), secure: secureFor(req) }),
        },
      };
    })
    .on("POST", "/logout", async (req) => {
      const s = sessionOf(req);
      if (s) {
        const form = await req.body();
        // The logout form carries the CSRF token too: a foreign page must not log a user out.
        if (form.csrf !== s.csrf && req.headers["x-csrf-token"] !== s.csrf) throw new HttpError(403, "missing or wrong CSRF token");
        d.sessions.revoke(s.id, d.now());
        d.audit.record(
          { user: s.user, action: "logout", target: "/logout", outcome: "ok", detail: `session ${s.id} ended`, address: req.address },
          d.now(),
        );
      }
      return { status: 303, headers: { location: "/login", "set-cookie": cookie(COOKIE, "", { maxAgeSec: 0, secure: secureFor(req) }) } };
    })
    .on("GET", "/assets/:file", (req) => {
      const file = req.params.file!;
      const ext = file.split(".").pop() ?? "";
      if (!/^[a-z0-9.-]+$/.test(file) || !ASSET_TYPES[ext]) throw new HttpError(404, `no asset ${file}`);
      let body: string;
      try {
        body = readFileSync(new URL(file, ASSETS), "utf8");
      } catch {
        throw new HttpError(404, `no asset ${file}`);
      }
      return { body, headers: { "content-type": ASSET_TYPES[ext]!, "cache-control": "no-cache" } };
    })
    .on("GET", "/vendor/:file", (req) => {
      const file = VENDOR[req.params.file!];
      if (!file) throw new HttpError(404, `no vendor file ${req.params.file}`);
      return {
        body: readFileSync(file, "utf8"),
        headers: { "content-type": ASSET_TYPES[file.split(".").pop()!]!, "cache-control": "max-age=86400" },
      };
    })
    .on(
      "GET",
      "/history",
      shellPage("History", "history", () => ({
        data: { ranges: Object.keys(RANGES) },
        head: '<link rel="stylesheet" href="/vendor/uplot.css"><script src="/vendor/uplot.js" defer></script>',
      })),
    )
    .on(
      "GET",
      "/api/series",
      api("read", "read", async (req) => {
        const host = req.query.get("host");
        if (!host) throw new HttpError(400, "host: which host's series");
        return { body: await d.bus.request(monitorService.endpoints.series, {}, { tokens: { host } }) };
      }),
    )
    .on(
      "GET",
      "/api/history",
      api("read", "read", async (req) => {
        const host = req.query.get("host");
        const metric = req.query.get("metric");
        const range = RANGES[req.query.get("range") ?? "1h"];
        if (!host || !metric) throw new HttpError(400, "host and metric: which series");
        if (!range) throw new HttpError(400, `range: one of ${Object.keys(RANGES).join(", ")}`);
        // `to` given: a zoomed window; its step shrinks with it (never finer than the raw samples).
        const to = req.query.get("to") ? Date.parse(req.query.get("to")!) : d.now();
        const from = req.query.get("from") ? Date.parse(req.query.get("from")!) : to - range.ms;
        if (Number.isNaN(from) || Number.isNaN(to) || from >= to) throw new HttpError(400, "from and to: ISO times, from before to");
        const stepSec = Math.max(1, Math.min(range.stepSec, Math.round((to - from) / 1000 / 240)));
        const labels = Object.fromEntries([...req.query].filter(([k]) => k.startsWith("l.")).map(([k, v]) => [k.slice(2), v]));
        return {
          body: await d.bus.request(
            monitorService.endpoints.history,
            {
              metric,
              from: new Date(from).toISOString(),
              to: new Date(to).toISOString(),
              stepSec,
              ...(Object.keys(labels).length > 0 ? { labels } : {}),
            },
            { tokens: { host } },
          ),
        };
      }),
    )
    .on(
      "GET",
      "/",
      shellPage("Overview", "overview", () => ({ data: d.live.snapshot() })),
    )
    .on("GET", "/approvals", shellPage("Approvals", "approvals"))
    .on("GET", "/incidents", shellPage("Incidents", "incidents"))
    .on(
      "GET",
      "/incidents/:id",
      shellPage("Incident", "incident", (req) => ({ data: { id: req.params.id } })),
    )
    .on(
      "GET",
      "/events",
      shellPage("Events", "events", () => ({ data: { kinds: FEED_KINDS } })),
    )
    .on(
      "GET",
      "/api/events",
      api("read", "read", (req) => {
        const kind = req.query.get("kind") || undefined;
        if (kind && !FEED_KINDS.includes(kind as FeedKind)) throw new HttpError(400, `kind: one of ${FEED_KINDS.join(", ")}`);
        const before = Number(req.query.get("before") ?? 0) || undefined;
        const q = req.query.get("q")?.slice(0, 200) || undefined;
        return {
          body: {
            events: d.feed.list({
              ...(kind ? { kind: kind as FeedKind } : {}),
              ...(q ? { q } : {}),
              ...(before ? { before } : {}),
              limit: 200,
            }),
          },
        };
      }),
    )
    .on(
      "GET",
      "/api/trace/:id",
      api("read", "read", async (req) => {
        // The page passes `since` (a little before the incident opened): the streams hold 90 days.
        const since = req.query.get("since") ? new Date(req.query.get("since")!) : undefined;
        if (since && Number.isNaN(since.getTime())) throw new HttpError(400, "since: an ISO time");
        const chain = await readChain(d.bus, req.params.id!, since ? { since } : {});
        if (!chain) throw new HttpError(404, `no incident, approval or event ${req.params.id} in the streams`);
        return {
          body: {
            id: chain.id,
            events: chain.events.map((e) => ({
              id: e.id,
              time: e.time,
              publisher: publisherOf(e),
              what: describeEvent(e),
              ...(e.causationid ? { causationid: e.causationid } : {}),
            })),
          },
        };
      }),
    )
    .on("GET", "/uptime", shellPage("Uptime", "uptime"))
    .on(
      "GET",
      "/api/uptime",
      api("read", "read", async (req) => {
        const days = Number(req.query.get("days") ?? 90);
        const q = {
          days: Number.isInteger(days) ? days : 90,
          timezone: req.query.get("tz") || "UTC",
          excludeSilences: req.query.get("exclude") === "1",
        };
        // Every host the page has seen (its own monitors and the hosts they read over SSH).
        const hosts = d.live.snapshot().hosts.map((x) => x.host);
        const missing: string[] = [];
        const replies = await Promise.all(
          hosts.map((host) =>
            d.bus.request(monitorService.endpoints.uptime, q, { tokens: { host }, timeout: 10_000 }).catch((err: Error) => {
              if (err instanceof ServiceError && err.status === 400) throw new HttpError(400, err.description);
              missing.push(`${host}: ${err.message}`);
              return undefined;
            }),
          ),
        );
        return { body: { hosts: replies.filter((r) => r !== undefined), missing } };
      }),
    )
    .on("GET", "/silences", shellPage("Silences", "silences"))
    .on(
      "GET",
      "/api/silences",
      api("read", "read", async (req) => ({
        body: await d.bus.request(incidentsService.endpoints.silences, { all: req.query.get("all") === "1" }),
      })),
    )
    .on(
      "POST",
      "/api/silences",
      api("manage-silences", "create-silence", async (req) => {
        const body = await req.body();
        const matchers = body.matchers;
        if (!matchers || typeof matchers !== "object" || Array.isArray(matchers) || Object.keys(matchers).length === 0)
          throw new HttpError(400, "matchers: at least one label=glob");
        if (Object.values(matchers).some((v) => typeof v !== "string")) throw new HttpError(400, "matchers: each a text glob");
        const forMs = Number(body.forMs);
        if (!Number.isInteger(forMs) || forMs <= 0 || forMs > 30 * 86_400_000) throw new HttpError(400, "forMs: how long, up to 30 days");
        const note = text(body.note, "note") ?? "";
        const m = matchers as Record<string, string>;
        return act(
          req,
          "create-silence",
          Object.entries(m)
            .map(([k, v]) => `${k}=${v}`)
            .join(","),
          () => d.bus.request(incidentsService.endpoints.silence, { matchers: m, forMs, by: req.session.user, note }),
          (r) => `${r.id} until ${r.endsAt}${note ? `: ${note}` : ""}`,
        );
      }),
    )
    .on(
      "POST",
      "/api/silences/:id/expire",
      api("manage-silences", "expire-silence", (req) => {
        const id = req.params.id!;
        return act(
          req,
          "expire-silence",
          id,
          () => d.bus.request(incidentsService.endpoints.expireSilence, { id, by: req.session.user }),
          () => "expired",
        );
      }),
    )
    .on("GET", "/sessions", shellPage("Sessions", "sessions"))
    .on(
      "GET",
      "/api/sessions",
      api("manage-sessions", "list-sessions", (req) => ({
        body: {
          sessions: d.sessions.list(d.now()).map(({ csrf, ...s }) => ({ ...s, current: s.id === req.session.id })),
          audit: d.audit.recent(100),
        },
      })),
    )
    .on(
      "POST",
      "/api/sessions/:id/revoke",
      api("manage-sessions", "revoke-session", (req) => {
        const id = req.params.id!;
        const revoked = d.sessions.revoke(id, d.now());
        if (!revoked) throw new HttpError(404, `no open session ${id}`);
        d.audit.record(
          {
            user: req.session.user,
            action: "revoke-session",
            target: id,
            outcome: "ok",
            detail: `session ${id} ended`,
            address: req.address,
          },
          d.now(),
        );
        return { body: { revoked: id } };
      }),
    )
    .on(
      "GET",
      "/api/me",
      api("read", "read", (req) => ({ body: { user: req.session.user, role: req.session.role, csrf: req.session.csrf } })),
    )
    .on(
      "GET",
      "/api/overview",
      api("read", "read", () => ({ body: d.live.snapshot() })),
    )
    .on(
      "GET",
      "/api/approvals",
      api("read", "read", async (req) => {
        const state = req.query.get("state") ?? undefined;
        const list = await d.bus.request(approvalsService.endpoints.list, state ? { state: state as never } : {});
        const budget = await d.bus.request(approvalsService.endpoints.budget, {}).catch(() => undefined);
        return { body: { ...list, budget } };
      }),
    )
    .on(
      "POST",
      "/api/approvals/:id",
      api("decide-approvals", "decide-approval", async (req) => {
        const body = await req.body();
        const decision = body.decision;
        if (decision !== "approve" && decision !== "deny") throw new HttpError(400, "decision: approve or deny");
        const note = text(body.note, "note");
        const id = req.params.id!;
        return act(
          req,
          `${decision}-approval`,
          id,
          () =>
            d.bus.request(approvalsService.endpoints.decide, {
              id,
              decision,
              by: req.session.user,
              channel: "page",
              ...(note ? { note } : {}),
            }),
          (r) => (r.decidedNow ? `${r.state} ${r.request.action.kind}${note ? `: ${note}` : ""}` : `already ${r.state}: nothing changed`),
        );
      }),
    )
    .on(
      "GET",
      "/api/incidents",
      api("read", "read", async (req) => ({
        body: await d.bus.request(incidentsService.endpoints.list, { all: req.query.get("all") === "1" }),
      })),
    )
    .on(
      "GET",
      "/api/incidents/:id",
      api("read", "read", async (req) => ({ body: await d.bus.request(incidentsService.endpoints.show, { id: req.params.id! }) })),
    )
    .on(
      "POST",
      "/api/incidents/:id/ack",
      api("annotate-incidents", "acknowledge-incident", async (req) => {
        const note = text((await req.body()).note, "note");
        const id = req.params.id!;
        return act(
          req,
          "acknowledge-incident",
          id,
          () => d.bus.request(incidentsService.endpoints.ack, { id, by: req.session.user, ...(note ? { note } : {}) }),
          () => `acknowledged${note ? `: ${note}` : ""}`,
        );
      }),
    )
    .on(
      "POST",
      "/api/incidents/:id/note",
      api("annotate-incidents", "annotate-incident", async (req) => {
        const note = text((await req.body()).text, "text");
        if (!note) throw new HttpError(400, "text: the note to add");
        const id = req.params.id!;
        return act(
          req,
          "annotate-incident",
          id,
          () => d.bus.request(incidentsService.endpoints.note, { id, by: req.session.user, note }),
          () => note,
        );
      }),
    )
    .on(
      "POST",
      "/api/incidents/:id/resolve",
      api("act-on-incidents", "resolve-incident", async (req) => {
        const note = text((await req.body()).note, "note");
        const id = req.params.id!;
        return act(
          req,
          "resolve-incident",
          id,
          () => d.bus.request(incidentsService.endpoints.resolve, { id, by: req.session.user, ...(note ? { note } : {}) }),
          () => `resolved${note ? `: ${note}` : ""}`,
        );
      }),
    )
    .on(
      "GET",
      "/api/stream",
      api("read", "read", (req) => {
        const { req: raw, res } = req.raw;
        res.writeHead(200, {
          ...securityHeaders(),
          "content-type": "text/event-stream; charset=utf-8",
          connection: "keep-alive",
          "x-accel-buffering": "no",
        });
        const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
        send("overview", d.live.snapshot());
        const token = parseCookies(req.headers.cookie)[COOKIE];
        const stop = d.live.listen((json) => {
          // A session ended meanwhile (logout, an admin, its time) ends its stream at the next update
          // (a lookup by primary key; an open page also keeps its session from idling out).
          if (!d.sessions.find(token, d.now())) return void res.end();
          res.write(`event: overview\ndata: ${json}\n\n`);
        });
        // A comment every 25 s keeps proxies from closing an idle stream.
        const ping = setInterval(() => res.write(": ping\n\n"), 25_000);
        d.metrics.streams(1);
        raw.once("close", () => {
          stop();
          clearInterval(ping);
          d.metrics.streams(-1);
        });
        return undefined;
      }),
    );
}
