import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CheckConfig, type PiholeCheck } from "./check-config.ts";
import { forgetSessions, run } from "./pihole.ts";

/**
 * A local stand-in for Pi-hole that answers as its API documents: v6 (`/api/auth` sessions by
 * `X-FTL-SID`, `/api/stats/summary`, `/api/dns/blocking`, `/api/stats/top_domains`,
 * `/api/stats/upstreams`) and v5 (`/admin/api.php?summaryRaw&auth=…`, `[]` when the token is wrong).
 */
const PASSWORD = "correct horse";
const now = () => new Date("2026-12-01T12:00:00Z");
const gravityAt = Date.parse("2026-11-30T12:00:00Z") / 1000;
let server: Server;
let base: string;
let version: "v6" | "v5" = "v6";
let blocking = "enabled";
const sids = new Set<string>();
const seen: string[] = [];
let dir: string;

function json(res: ServerResponse, status: number, body: unknown): ServerResponse {
  return res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}

function v6(req: IncomingMessage, res: ServerResponse, body: string): ServerResponse {
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname === "/api/auth" && req.method === "POST") {
    const ok = (JSON.parse(body || "{}") as { password?: string }).password === PASSWORD;
    if (!ok)
      return json(res, 401, {
        session: { valid: false, totp: false, sid: null, validity: -1, message: "password incorrect" },
        took: 0.001,
      });
    const sid = `sid-${sids.size + 1}-${Math.random().toString(36).slice(2)}`;
    sids.add(sid);
    return json(res, 200, {
      session: { valid: true, totp: false, sid, csrf: "csrf", validity: 1800, message: "password correct" },
      took: 0.01,
    });
  }
  if (url.pathname === "/api/auth") return json(res, 401, { session: { valid: false, totp: false, sid: null, validity: -1 }, took: 0 });
  if (!sids.has(String(req.headers["x-ftl-sid"])))
    return json(res, 401, { error: { key: "unauthorized", message: "Unauthorized", hint: null }, took: 0 });
  switch (url.pathname) {
    case "/api/stats/summary":
      return json(res, 200, {
        queries: {
          total: 48210,
          blocked: 5931,
          percent_blocked: 12.302427,
          unique_domains: 2211,
          forwarded: 30120,
          cached: 12159,
          types: {},
          status: {},
          replies: {},
        },
        clients: { active: 14, total: 22 },
        gravity: { domains_being_blocked: 178_634, last_update: gravityAt },
        took: 0.002,
      });
    case "/api/dns/blocking":
      return json(res, 200, { blocking, timer: blocking === "disabled" ? 300 : null, took: 0.0001 });
    case "/api/stats/top_domains":
      expect(url.searchParams.get("blocked")).toBe("true");
      return json(res, 200, {
        domains: [
          { domain: "telemetry.example.com", count: 1204 },
          { domain: "ads.example.net", count: 877 },
        ],
        total_queries: 48210,
        blocked_queries: 5931,
        took: 0.001,
      });
    case "/api/stats/upstreams":
      return json(res, 200, {
        upstreams: [
          { ip: "blocklist", name: "blocklist", port: -1, count: 5931, statistics: { response: 0, variance: 0 } },
          { ip: "1.1.1.1", name: "one.one.one.one", port: 53, count: 30120, statistics: { response: 0.0213, variance: 0.0001 } },
        ],
        forwarded_queries: 30120,
        total_queries: 48210,
        took: 0.001,
      });
    default:
      return json(res, 404, { error: { key: "not_found", message: "Not found", hint: url.pathname }, took: 0 });
  }
}

function v5(req: IncomingMessage, res: ServerResponse): ServerResponse {
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname !== "/admin/api.php") return json(res, 404, "not found");
  if (url.searchParams.get("auth") !== "v5-token") return json(res, 200, []);
  if (url.searchParams.has("summaryRaw"))
    return json(res, 200, {
      domains_being_blocked: 120_000,
      dns_queries_today: 1000,
      ads_blocked_today: 250,
      ads_percentage_today: 25,
      status: blocking,
      gravity_last_updated: { file_exists: true, absolute: gravityAt, relative: { days: 1, hours: 0, minutes: 0 } },
    });
  if (url.searchParams.has("topItems"))
    return json(res, 200, { top_queries: { "kronos.lan": 300 }, top_ads: { "ads.example.net": 120, "track.example.org": 40 } });
  if (url.searchParams.has("getForwardDestinations"))
    return json(res, 200, { forward_destinations: { "blocked|blocked": 25, "cached|cached": 15, "one.one.one.one|1.1.1.1": 60 } });
  return json(res, 400, "unknown query");
}

function check(extra: Record<string, unknown>): PiholeCheck {
  return CheckConfig.parse({ name: "pihole", kind: "pihole", url: base, timeout: "3s", ...extra }) as PiholeCheck;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lag-pihole-"));
  writeFileSync(join(dir, "pw"), `${PASSWORD}\n`);
  writeFileSync(join(dir, "wrong"), "nope\n");
  writeFileSync(join(dir, "token"), "v5-token\n");
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push(`${req.method} ${req.url}`);
      if (version === "v6") v6(req, res, body);
      else v5(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
});
afterAll(() => server.close());
beforeEach(() => {
  forgetSessions();
  sids.clear();
  seen.length = 0;
  version = "v6";
  blocking = "enabled";
});

describe("the pihole check (v6)", () => {
  it("logs in, reads status, queries, blocked share, top blocked domains, upstreams and the gravity list's age", async () => {
    const r = await run(check({ password: { file: join(dir, "pw") } }), now);
    expect(r).toMatchObject({ ok: true, kind: "pihole", detail: "blocking on; 12.3 % of 48210 queries blocked (v6)" });
    expect(r.pihole).toEqual({
      api: "v6",
      blocking: true,
      queries: 48210,
      blocked: 5931,
      blockedPct: 12.3,
      domainsBlocked: 178_634,
      gravityUpdatedAt: "2026-11-30T12:00:00.000Z",
      gravityAgeHours: 24,
      topBlocked: [
        { domain: "telemetry.example.com", count: 1204 },
        { domain: "ads.example.net", count: 877 },
      ],
      upstreams: [
        { name: "blocklist", queries: 5931 },
        { name: "one.one.one.one", queries: 30120, responseMs: 21.3 },
      ],
    });
  });

  it("keeps its session, and logs in again when the Pi-hole no longer knows it (expired, restarted)", async () => {
    const c = check({ password: { file: join(dir, "pw") } });
    await run(c, now);
    await run(c, now);
    expect(seen.filter((s) => s === "POST /api/auth")).toHaveLength(1);
    sids.clear();
    blocking = "disabled";
    const r = await run(c, now);
    expect(r).toMatchObject({ ok: true, pihole: { blocking: false, blockingTimerSec: 300 } });
    expect(r.detail).toMatch(/^blocking OFF/);
    expect(seen.filter((s) => s === "POST /api/auth")).toHaveLength(2);
  });

  it("says so when the password is wrong, or missing where one is needed", async () => {
    const wrong = await run(check({ password: { file: join(dir, "wrong") } }), now);
    expect(wrong).toMatchObject({ ok: false, detail: "Pi-hole refused the password (401: password incorrect)" });
    const none = await run(check({}), now);
    expect(none).toMatchObject({ ok: false, detail: "api/stats/summary needs a password: set password on the check" });
  });
});

describe("the pihole check (v5)", () => {
  it("finds v5 by itself and reads api.php with the token", async () => {
    version = "v5";
    const r = await run(check({ password: { file: join(dir, "token") } }), now);
    expect(r.ok, r.detail).toBe(true);
    expect(r.pihole).toMatchObject({
      api: "v5",
      blocking: true,
      queries: 1000,
      blocked: 250,
      blockedPct: 25,
      domainsBlocked: 120_000,
      gravityAgeHours: 24,
      topBlocked: [
        { domain: "ads.example.net", count: 120 },
        { domain: "track.example.org", count: 40 },
      ],
    });
    expect(r.pihole!.upstreams).toContainEqual({ name: "one.one.one.one", queries: 600 });
  });

  it("a wrong token gets an empty answer from v5, and says so", async () => {
    version = "v5";
    const r = await run(check({ api: "v5", password: { file: join(dir, "wrong") } }), now);
    expect(r).toMatchObject({ ok: false, detail: "api.php?summaryRaw: Pi-hole refused the API token (an empty answer)" });
  });

  it("an unreachable Pi-hole is a failed check with the reason", async () => {
    const r = await run(
      CheckConfig.parse({ name: "pihole", kind: "pihole", url: "http://127.0.0.1:9/", timeout: "2s" }) as PiholeCheck,
      now,
    );
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/refused|ECONNREFUSED/i);
  });
});
