import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import parsePrometheus from "parse-prometheus-text-format";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus } from "@lag/bus";
import { ceoWorker } from "@lag/ceo-lag";
import {
  approvalDecided,
  approvalRequests,
  type ApprovalDecisionType,
  type ApprovalRequest,
  containerMetrics,
  type ContainersSnapshot,
  hostMetrics,
  type HostMetrics,
  monitorService,
} from "@lag/contracts";
import { eventually, memoryLogger, startTestNats, type TestNats } from "@lag/testing";
import { startWorker, type RunningWorker } from "@lag/worker";
import { alert, type Alert } from "@lag/contracts";
import { incidentsWorker, monitorWorker } from "@lag/it-lag";
import { dashboardWorker, hashPassword } from "../src/index.ts";

/**
 * The status page against the real processes it talks to (NATS, CEO_LAG) and in a real headless
 * Chromium: logins and their limits, roles enforced by the server, CSRF, live updates without a
 * reload, decisions taken on the page reaching CEO_LAG, the metrics endpoint.
 */
const PASSWORDS = { ana: "ana-admin-pw", bea: "bea-approver-pw", bob: "bob-approver-pw", vic: "vic-viewer-pw" };
let nats: TestNats;
let dir: string;
let base: string;
let metricsUrl: string;
let ceo: RunningWorker | undefined;
let page: RunningWorker | undefined;
let realMonitor: RunningWorker | undefined;
let incidents: RunningWorker | undefined;
let monitor: Bus;
let subs: Bus;
let browser: Browser | undefined;
const decisions: ApprovalDecisionType[] = [];
const artefacts = join(import.meta.dirname, "../../../test-artefacts/dashboard");

/** A cookie jar of one: logs in over HTTP and calls the page's API as that user. */
async function loginAs(user: keyof typeof PASSWORDS, password = PASSWORDS[user]) {
  const res = await fetch(`${base}login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ user, password }).toString(),
  });
  const setCookie = res.headers.get("set-cookie") ?? "";
  const cookie = setCookie.split(";")[0]!;
  const me =
    res.status === 303
      ? ((await (await fetch(`${base}api/me`, { headers: { cookie } })).json()) as { csrf: string; role: string })
      : undefined;
  return {
    status: res.status,
    setCookie,
    retryAfter: res.headers.get("retry-after"),
    csrf: me?.csrf ?? "",
    role: me?.role,
    get: (path: string) => fetch(`${base}${path.replace(/^\//, "")}`, { headers: { cookie }, redirect: "manual" }),
    post: (path: string, body: unknown, o: { csrf?: string | null; origin?: string } = {}) =>
      fetch(`${base}${path.replace(/^\//, "")}`, {
        method: "POST",
        headers: {
          cookie,
          "content-type": "application/json",
          ...(o.csrf === null ? {} : { "x-csrf-token": o.csrf ?? me?.csrf ?? "" }),
          ...(o.origin ? { origin: o.origin } : {}),
        },
        body: JSON.stringify(body),
      }),
  };
}

/** A browser tab logged in through the form as `user`. */
async function loggedIn(user: keyof typeof PASSWORDS = "ana") {
  const ctx = await browser!.newContext({ viewport: { width: 1200, height: 900 } });
  const tab = await ctx.newPage();
  await tab.goto(`${base}login`);
  await tab.fill('input[name="user"]', user);
  await tab.fill('input[name="password"]', PASSWORDS[user]);
  await tab.click('button[type="submit"]');
  await tab.waitForURL(base);
  return { ctx, tab };
}

/** Waits until an expression holds in the page (evaluated from outside: the page's CSP allows no eval, as it should). */
async function until(tab: import("playwright-core").Page, expression: string, timeoutMs = 10_000): Promise<void> {
  await eventually(async () => Boolean(await tab.evaluate(expression)), timeoutMs, expression);
}

function hostSample(host: string, cpu: number): HostMetrics {
  return { ...hostMetrics.example, host, time: new Date().toISOString(), cpu: { usagePct: cpu, cores: [cpu] } };
}

function containers(host: string, health: "healthy" | "unhealthy"): ContainersSnapshot {
  return {
    host,
    time: new Date().toISOString(),
    docker: { available: true, version: "26.1.5" },
    containers: [
      { id: "a1b2c3d4e5f6a7b8", name: "immich", image: "immich:v1", state: "running", health, restartCount: 0, cpuPct: 3.5, memPct: 40 },
      {
        id: "b1b2c3d4e5f6a7b8",
        name: "postgres",
        image: "postgres:16",
        state: "running",
        health: "healthy",
        restartCount: 1,
        cpuPct: 1.2,
        memPct: 20,
      },
    ],
  };
}

async function pendingRequest(cost = 30): Promise<ApprovalRequest> {
  const now = new Date();
  const req: ApprovalRequest = {
    id: randomUUID(),
    requester: "it-subscriptions",
    action: { kind: "renew-subscription", params: { subscription: "lagrieta-es", name: "lagrieta.es", provider: "godaddy", years: 1 } },
    reason: "domain lagrieta.es expires on 2026-12-14: renew it for 1 year(s) at godaddy",
    cost: { amount: cost, currency: "EUR" },
    risk: "low",
    requestedAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 3_600_000).toISOString(),
    links: { subscription: "lagrieta-es" },
    evidence: { summary: "renew domain lagrieta.es at godaddy for 1 year(s)", observed: ["expires 2026-12-14 (read from rdap)"] },
    labels: {},
  };
  await subs.publish(approvalRequests["it-subscriptions"], req);
  const me = await loginAs("ana");
  await eventually(
    async () =>
      ((await (await me.get("/api/approvals?state=pending")).json()) as { approvals: { request: { id: string } }[] }).approvals.some(
        (a) => a.request.id === req.id,
      ),
    10_000,
    "CEO_LAG holds the request",
  );
  return req;
}

beforeAll(async () => {
  nats = await startTestNats();
  await nats.provisionStreams();
  dir = mkdtempSync(join(tmpdir(), "lag-dash-"));
  mkdirSync(artefacts, { recursive: true });
  const users = await Promise.all(
    (
      [
        ["ana", "admin"],
        ["bea", "approver"],
        ["bob", "approver"],
        ["vic", "viewer"],
      ] as const
    ).map(async ([name, role]) => `      - { name: ${name}, role: ${role}, password: "${await hashPassword(PASSWORDS[name])}" }`),
  );
  const config = join(dir, "lag.yaml");
  writeFileSync(
    config,
    `dataDir: ${dir}
dashboard:
  listen: { host: 127.0.0.1, port: 0 }
  metrics: { host: 127.0.0.1, port: 0 }
  login: { maxFailures: 3, maxFailuresPerAddress: 10, window: 1m }
  users:
${users.join("\n")}
it:
  monitor: { host: dash, interval: 1s, reportInterval: 5s, docker: { enabled: false }, mounts: { system: / } }
  incidents: { groupWait: 1s, resolveAfter: 2s, hostSilentAfter: 24h, runbooks: [] }
ceo:
  approvals: { default: ask, expiryCheck: 1s, budget: [{ currency: EUR, monthly: 50 }] }
`,
  );
  const env = { LAG_CONFIG: config, NATS_URL: nats.url };
  ceo = await startWorker(ceoWorker, { env, logger: memoryLogger("ceo").logger });
  incidents = await startWorker(incidentsWorker, { env, logger: memoryLogger("it-incidents").logger });
  realMonitor = await startWorker(monitorWorker, { env, logger: memoryLogger("it-monitor").logger });
  const log = memoryLogger("dashboard");
  page = await startWorker(dashboardWorker, { env, logger: log.logger });
  const line = log.lines.find((l) => l.msg.startsWith("status page at "))!;
  base = String(line.url);
  metricsUrl = String(line.metrics);
  monitor = await nats.bus("it-monitor");
  // kronos has no monitor here: its history service, standing in, says /mnt/storage went from 70 % to 75 % in two days.
  const twoDaysAgo = Date.now() - 2 * 86_400_000;
  await monitor.serve(
    monitorService,
    {
      status: () => {
        throw new Error("not here");
      },
      series: () => ({ host: "kronos", series: [] }),
      // 90 days of immich-web: all up but one day at 97 %, which a silence (the upgrade) explains.
      uptime: (q) => {
        const day = (i: number) => new Date(Date.now() - (89 - i) * 86_400_000).toISOString().slice(0, 10);
        const pct = (i: number) => (i === 87 && !q.excludeSilences ? 97 : 100);
        const w = (window: "24h" | "7d" | "30d" | "1y", availabilityPct: number) => ({
          window,
          availabilityPct,
          measuredSec: 86_400,
          downSec: 0,
          excludedSec: 0,
          p50Ms: 12,
          p95Ms: 41.5,
          p99Ms: 80,
        });
        return {
          host: "kronos",
          at: new Date().toISOString(),
          timezone: q.timezone,
          excludeSilences: q.excludeSilences,
          checks: [
            {
              check: "immich-web",
              kind: "http",
              windows: [w("24h", 100), w("7d", q.excludeSilences ? 100 : 99.571), w("30d", q.excludeSilences ? 100 : 99.9), w("1y", 99.99)],
              days: Array.from({ length: q.days }, (_, i) => ({
                day: day(i),
                availabilityPct: pct(i),
                measuredSec: 86_400,
                downSec: pct(i) < 100 ? 2_592 : 0,
                excludedSec: 0,
              })),
              silences: [
                {
                  id: "sil-upgrade",
                  startsAt: new Date(Date.now() - 2 * 86_400_000).toISOString(),
                  endsAt: new Date(Date.now() - 2 * 86_400_000 + 3_600_000).toISOString(),
                  note: "upgrade",
                  createdBy: "ana",
                },
              ],
            },
          ],
        };
      },
      history: ({ metric, from, to, stepSec }) => ({
        host: "kronos",
        metric,
        from: from ?? new Date(twoDaysAgo).toISOString(),
        to: to ?? new Date().toISOString(),
        stepSec: stepSec ?? 3600,
        source: "1h" as const,
        series: [
          {
            labels: { mount: "/mnt/storage", role: "storage" },
            points: [
              [twoDaysAgo, 70, 70, 70] as [number, number, number, number],
              [Date.now(), 75, 75, 75] as [number, number, number, number],
            ],
          },
        ],
      }),
    },
    { tokens: { host: "kronos" } },
  );
  subs = await nats.bus("it-subscriptions");
  const watcher = await nats.bus("cli");
  watcher.subscribe(approvalDecided, (d) => void decisions.push(d.data));
  await watcher.nc.flush();
  browser = await chromium.launch({
    executablePath: process.env.LAG_CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await page?.shutdown();
  await realMonitor?.shutdown();
  await incidents?.shutdown();
  await ceo?.shutdown();
  await monitor?.close();
  await subs?.close();
  await nats?.stop();
});

describe("logins and sessions", () => {
  it("a page without a session goes to the login; a login sets an HttpOnly, SameSite=Strict cookie", async () => {
    const anon = await fetch(base, { redirect: "manual" });
    expect(anon.status).toBe(303);
    expect(anon.headers.get("location")).toBe("/login?next=%2F");
    expect((await fetch(`${base}api/overview`)).status).toBe(401);
    const ana = await loginAs("ana");
    expect(ana.status).toBe(303);
    expect(ana.setCookie).toMatch(/^lag_session=[\w-]{40,}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    expect(ana.role).toBe("admin");
    const home = await ana.get("/");
    expect(home.status).toBe(200);
    expect(home.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(home.headers.get("x-frame-options")).toBe("DENY");
    // Logging in from a link goes on to that page, never to another site.
    expect(await (await fetch(`${base}login?next=%2Fapprovals`)).text()).toContain('action="/login?next=%2Fapprovals"');
    const on = async (next: string) =>
      (
        await fetch(`${base}login?next=${encodeURIComponent(next)}`, {
          method: "POST",
          redirect: "manual",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ user: "ana", password: PASSWORDS.ana }).toString(),
        })
      ).headers.get("location");
    expect(await on("/approvals")).toBe("/approvals");
    expect(await on("//evil.example/")).toBe("/");
    expect(await on("https://evil.example/")).toBe("/");
  });

  it("wrong passwords are refused, then rate limited per user with Retry-After; the right one waits too", async () => {
    for (let i = 0; i < 3; i++) expect((await loginAs("bea", "wrong")).status).toBe(401);
    const limited = await loginAs("bea", "wrong");
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);
    // Even the right password is refused until the window passes: guessing gains nothing.
    expect((await loginAs("bea")).status).toBe(429);
    // Another user from elsewhere is not locked out by bea's failures (the address limit is separate and higher here).
    expect((await loginAs("vic")).status).toBe(303);
  });

  it("logging out ends the session on the server", async () => {
    const vic = await loginAs("vic");
    const out = await fetch(`${base}logout`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: vic.setCookie.split(";")[0]!, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ csrf: vic.csrf }).toString(),
    });
    expect(out.status).toBe(303);
    expect((await vic.get("/api/overview")).status).toBe(401);
  });
});

describe("actions are checked by the server", () => {
  it("a POST without the CSRF token, or from another origin, is refused and audited", async () => {
    const req = await pendingRequest();
    const ana = await loginAs("ana");
    const noToken = await ana.post(`/api/approvals/${req.id}`, { decision: "approve" }, { csrf: null });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { error: string }).error).toMatch(/CSRF/);
    const foreign = await ana.post(`/api/approvals/${req.id}`, { decision: "approve" }, { origin: "https://evil.example" });
    expect(foreign.status).toBe(403);
    // A sandboxed frame's `Origin: null` is no origin of this page either (and no crash).
    expect((await ana.post(`/api/approvals/${req.id}`, { decision: "approve" }, { origin: "null" })).status).toBe(403);
    expect(decisions.some((d) => d.requestId === req.id)).toBe(false);
  });

  it("a viewer's approve is refused by the server; an approver's reaches CEO_LAG as a person's decision on the page", async () => {
    const req = await pendingRequest();
    const vic = await loginAs("vic");
    const refused = await vic.post(`/api/approvals/${req.id}`, { decision: "approve" });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toBe("a viewer may not decide approval");
    const bob = await loginAs("bob");
    expect(bob.role).toBe("approver");
    // An approver decides approvals, but does not resolve incidents.
    expect((await bob.post("/api/incidents/inc-x/resolve", {})).status).toBe(403);
    const ok = await bob.post(`/api/approvals/${req.id}`, { decision: "approve", note: "renew it" });
    expect(ok.status).toBe(200);
    await eventually(() => decisions.some((d) => d.requestId === req.id), 10_000, "the decision");
    expect(decisions.find((d) => d.requestId === req.id)).toMatchObject({
      decision: "approved",
      by: { kind: "person", name: "bob" },
      channel: "page",
      note: "renew it",
    });
    // Deciding again changes nothing.
    const again = await bob.post(`/api/approvals/${req.id}`, { decision: "deny" });
    expect((await again.json()) as { decidedNow: boolean; state: string }).toMatchObject({ decidedNow: false, state: "approved" });
  });
});

describe("in the browser", () => {
  it("logs in with the form, and the overview shows a container turning unhealthy without a reload", async () => {
    const ctx = await browser!.newContext({ viewport: { width: 1200, height: 900 } });
    const tab = await ctx.newPage();
    const external: string[] = [];
    tab.on("request", (r) => {
      if (!r.url().startsWith(base)) external.push(r.url());
    });
    await monitor.publish(hostMetrics, hostSample("kronos", 12));
    // A NAS read over SSH: its card also shows its disks, array, No-IP client and job.
    await monitor.publish(hostMetrics, {
      ...hostSample("nas", 3),
      disks: [{ device: "/dev/sda", passed: true, pendingSectors: 8, temperatureC: 36 }],
      raid: [
        {
          array: "md0",
          level: "raid1",
          state: "active",
          readOnly: false,
          devices: 2,
          activeDevices: 1,
          failed: ["sdb1"],
          spares: [],
          degraded: true,
        },
      ],
      dynDns: { client: "noip", file: "/var/log/noip.log", ok: true, status: "no update needed", at: new Date().toISOString() },
      jobs: [{ name: "nightly", file: "/volume1/rsync.log", ok: false, overdue: false }],
    });
    await monitor.publish(containerMetrics, containers("kronos", "healthy"));
    await tab.goto(base);
    await tab.fill('input[name="user"]', "ana");
    await tab.fill('input[name="password"]', PASSWORDS.ana);
    await tab.click('button[type="submit"]');
    await tab.waitForURL(base);
    await tab.waitForSelector('[data-container="kronos/immich"] .health-healthy', { timeout: 10_000 });
    // Marked in the page: a reload would lose it.
    await tab.evaluate("document.body.dataset.loadedOnce = 'yes'");
    await monitor.publish(containerMetrics, containers("kronos", "unhealthy"));
    await tab.waitForSelector('[data-container="kronos/immich"] .health-unhealthy', { timeout: 5_000 });
    expect(await tab.textContent("#banner")).toContain("container not well: immich");
    expect(await tab.evaluate("document.body.dataset.loadedOnce")).toBe("yes");
    expect(await tab.textContent('[data-host="kronos"]')).toContain("12.0 %");
    expect(await tab.locator('[data-host="kronos"] .nas').count()).toBe(0);
    const md0 = tab.locator('[data-host="nas"] [data-raid="md0"]');
    expect(await md0.textContent()).toBe("md0 raid1 DEGRADED 1/2");
    expect(await md0.getAttribute("class")).toBe("bad");
    expect(await tab.textContent('[data-host="nas"] [data-disk="/dev/sda"]')).toBe("/dev/sda SMART passed · 36 °C · 8 pending");
    expect(await tab.getAttribute('[data-host="nas"] [data-disk="/dev/sda"]', "class")).toBe("warn");
    expect(await tab.textContent('[data-host="nas"] [data-job="nightly"]')).toContain("nightly failed");
    // Its trend from the history: +5 points in 2 days, full in ~10 days.
    await tab.waitForSelector('[data-host="kronos"] .trend', { timeout: 10_000 });
    expect(await tab.textContent('[data-host="kronos"] .trend')).toBe("+5.0 pts in 2 d, full in ~10 d");
    // A mount's bar is as long as its use (set through the CSSOM: the CSP allows no inline styles).
    expect(await tab.evaluate(`document.querySelector('[data-host="kronos"] .bar > span').style.width`)).toBe("75%");
    await tab.screenshot({ path: join(artefacts, "overview.png"), fullPage: true });
    expect(external).toEqual([]);
    // A phone's width: nothing wider than the screen.
    await tab.setViewportSize({ width: 390, height: 844 });
    expect(Number(await tab.evaluate("document.documentElement.scrollWidth"))).toBeLessThanOrEqual(390);
    await tab.screenshot({ path: join(artefacts, "overview-phone.png"), fullPage: true });
    // Dark mode follows the system's.
    await tab.emulateMedia({ colorScheme: "dark" });
    const background = String(await tab.evaluate("getComputedStyle(document.body).backgroundColor"));
    const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
    expect(r! + g! + b!).toBeLessThan(150);
    await tab.screenshot({ path: join(artefacts, "overview-dark.png"), fullPage: true });
    await ctx.close();
  });

  it("the uptime page draws a bar per day per check, and leaves maintenance windows out when asked", async () => {
    // The page asks every host it has seen.
    await monitor.publish(hostMetrics, hostSample("kronos", 12));
    const ana = await loginAs("ana");
    await eventually(async () =>
      ((await (await ana.get("/api/overview")).json()) as { hosts: { host: string }[] }).hosts.some((x) => x.host === "kronos"),
    );
    const { ctx, tab } = await loggedIn();
    await tab.goto(`${base}uptime`);
    const row = tab.locator('tr[data-uptime="kronos/immich-web"]');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator(".day").count()).toBe(90);
    expect(await row.locator(".day.bad").count()).toBe(1);
    expect(await row.textContent()).toContain("99.57 %");
    expect(await row.textContent()).toContain("upgrade");
    expect(await row.locator(".day.bad").getAttribute("title")).toMatch(/^\d{4}-\d\d-\d\d: 97.00 %, 43 min down$/);
    await tab.screenshot({ path: join(artefacts, "uptime.png"), fullPage: true });
    await tab.check("#exclude");
    await eventually(async () => (await row.locator(".day.bad").count()) === 0, 10_000, "the day redrawn without the window");
    expect(await row.textContent()).not.toContain("99.57 %");
    expect(tab.url()).toContain("exclude=1");
    await ctx.close();
  });

  it("an approver decides a pending request on the approvals page", async () => {
    const req = await pendingRequest(35);
    const { ctx, tab } = await loggedIn();
    await tab.goto(`${base}approvals`);
    const row = tab.locator(`tr[data-request="${req.id}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain("35 EUR");
    await tab.screenshot({ path: join(artefacts, "approvals.png"), fullPage: true });
    await row.locator('input[name="note"]').fill("yes, renew");
    await row.locator('button[value="approve"]').click();
    await tab.waitForSelector("#flash.ok", { timeout: 10_000 });
    await eventually(() => decisions.some((d) => d.requestId === req.id), 10_000, "the decision");
    expect(decisions.find((d) => d.requestId === req.id)).toMatchObject({ decision: "approved", channel: "page", note: "yes, renew" });
    await ctx.close();
  });
});

describe("history and incidents in the browser", () => {
  it("a chart draws the points the monitor's history service returns", async () => {
    const ana = await loginAs("ana");
    // The real monitor samples this machine every second.
    await eventually(
      async () => {
        const r = (await (await ana.get("/api/history?host=dash&metric=cpu.usage_pct&range=1h")).json()) as {
          series?: { points: unknown[] }[];
        };
        return (r.series?.[0]?.points.length ?? 0) >= 3;
      },
      20_000,
      "a few samples in the history",
    );
    const { ctx, tab } = await loggedIn();
    await tab.goto(`${base}history?host=dash&metric=cpu.usage_pct&range=1h`);
    await until(tab, "window.lagChart !== undefined");
    const drawn = Number(await tab.evaluate("window.lagChart.data[1].filter((v) => v !== null).length"));
    const served = (await (await ana.get("/api/history?host=dash&metric=cpu.usage_pct&range=1h")).json()) as {
      series: { points: [number, number, number, number][] }[];
    };
    // The same window asked again: the same points.
    expect(drawn).toBeGreaterThanOrEqual(3);
    expect(drawn).toBe(served.series[0]!.points.length);
    const first = Number(await tab.evaluate("window.lagChart.data[1].find((v) => v !== null)"));
    expect(first).toBeCloseTo(served.series[0]!.points[0]![2], 6);
    // Several series on one chart: every core of this machine (the x axis is uPlot's first series).
    const cores = (await (await ana.get("/api/history?host=dash&metric=cpu.core_pct&range=1h")).json()) as { series: unknown[] };
    await tab.goto(`${base}history?host=dash&metric=cpu.core_pct&range=1h`);
    await until(tab, `window.lagChart !== undefined && window.lagChart.series.length === ${cores.series.length + 1}`);
    // One of them picked: that series alone.
    await tab.selectOption('select[name="series"]', { index: 1 });
    await tab.waitForURL(/l\.core=0/);
    await until(tab, "window.lagChart !== undefined && window.lagChart.series.length === 2");
    await tab.screenshot({ path: join(artefacts, "history.png"), fullPage: true });
    await ctx.close();
  });

  it("an incident's page shows its timeline; an admin acknowledges and resolves it there, audited with the user", async () => {
    const a: Alert = {
      fingerprint: "container-unhealthy/kronos/container=immich",
      rule: "container-unhealthy",
      host: "kronos",
      status: "firing",
      severity: "high",
      summary: "container immich is unhealthy (3 failed health checks)",
      source: "container:immich",
      value: null,
      threshold: null,
      labels: { container: "immich" },
      startsAt: new Date().toISOString(),
      repeat: 0,
    };
    await monitor.publish(alert, a);
    const ana = await loginAs("ana");
    let id = "";
    await eventually(
      async () => {
        const r = (await (await ana.get("/api/incidents")).json()) as { incidents?: { id: string; group: Record<string, string> }[] };
        id = r.incidents?.find((i) => i.group.container === "immich")?.id ?? "";
        return id !== "";
      },
      15_000,
      "the incident",
    );
    const { ctx, tab } = await loggedIn();
    await tab.goto(`${base}incidents/${id}`);
    await tab.waitForSelector("ol.timeline li", { timeout: 10_000 });
    expect(await tab.textContent("main")).toContain("container immich is unhealthy");
    // Its whole chain, from the streams, as `lag trace` prints it: the alert that opened it first.
    await tab.waitForSelector("ol.chain li", { timeout: 10_000 });
    const chain = await tab.locator("ol.chain li").allTextContents();
    expect(chain[0]).toMatch(/it-monitor alert firing container-unhealthy: container immich is unhealthy/);
    expect(chain.some((l) => /it-incidents incident opened/.test(l))).toBe(true);
    await tab.fill('#act input[name="note"]', "looking at it");
    await tab.click('#act button[value="ack"]');
    await tab.waitForSelector("#flash.ok", { timeout: 10_000 });
    expect(await tab.textContent(".note")).toContain("acknowledged by ana");
    await tab.waitForSelector("ol.chain li", { timeout: 10_000 });
    await tab.screenshot({ path: join(artefacts, "incident.png"), fullPage: true });
    await tab.fill('#act input[name="note"]', "restarted by hand");
    await tab.click('#act button[value="resolve"]');
    await tab.waitForSelector("#flash.ok", { timeout: 10_000 });
    const shown = (await (await ana.get(`/api/incidents/${id}`)).json()) as {
      state: string;
      timeline: { kind: string; actor: { name: string } }[];
    };
    expect(shown.state).toBe("resolved");
    expect(shown.timeline.some((t) => t.kind === "acknowledged" && t.actor.name === "ana")).toBe(true);
    await ctx.close();
  });
});

describe("the events feed", () => {
  it("lists alerts, incident changes and decisions newest first, filterable by kind and text, with links", async () => {
    const ana = await loginAs("ana");
    const all = (await (await ana.get("/api/events")).json()) as { events: { kind: string; text: string; link?: string; seq: number }[] };
    const kinds = new Set(all.events.map((e) => e.kind));
    expect(kinds).toEqual(new Set(["alert", "incident", "approval"]));
    expect(all.events.map((e) => e.seq)).toEqual([...all.events.map((e) => e.seq)].sort((a, b) => b - a));
    const incidents = (await (await ana.get("/api/events?kind=incident")).json()) as {
      events: { kind: string; text: string; link?: string }[];
    };
    expect(incidents.events.every((e) => e.kind === "incident" && e.link?.startsWith("/incidents/"))).toBe(true);
    expect(incidents.events.some((e) => /resolved.*restarted by hand.*person:ana/.test(e.text))).toBe(true);
    const byText = (await (await ana.get("/api/events?q=RENEW%20IT")).json()) as { events: { text: string }[] };
    expect(byText.events.length).toBeGreaterThan(0);
    expect(byText.events.every((e) => /renew it/i.test(e.text))).toBe(true);
    expect((await ana.get("/api/events?kind=nonsense")).status).toBe(400);
    const { ctx, tab } = await loggedIn("vic");
    await tab.goto(`${base}events?kind=approval`);
    await tab.waitForSelector("ol.feed li");
    expect(await tab.locator('ol.feed li:not([data-kind="approval"])').count()).toBe(0);
    await ctx.close();
  });
});

describe("silences and sessions", () => {
  it("an admin creates and expires a silence; an approver may not create one", async () => {
    const bob = await loginAs("bob");
    expect((await bob.post("/api/silences", { matchers: { container: "immich" }, forMs: 3_600_000 })).status).toBe(403);
    const ana = await loginAs("ana");
    expect((await ana.post("/api/silences", { matchers: {}, forMs: 3_600_000 })).status).toBe(400);
    const made = await ana.post("/api/silences", { matchers: { container: "immich" }, forMs: 3_600_000, note: "upgrade" });
    expect(made.status).toBe(200);
    const silence = (await made.json()) as { id: string; createdBy: string };
    expect(silence.createdBy).toBe("ana");
    const expired = await ana.post(`/api/silences/${silence.id}/expire`, {});
    expect(((await expired.json()) as { expiredAt?: string }).expiredAt).toBeDefined();
  });

  it("an admin sees the open sessions and the audit trail, and ends another session; only admins may", async () => {
    const vic = await loginAs("vic");
    expect((await vic.get("/api/sessions")).status).toBe(403);
    const ana = await loginAs("ana");
    const r = (await (await ana.get("/api/sessions")).json()) as {
      sessions: { id: string; user: string; current: boolean; csrf?: string }[];
      audit: { user: string; action: string; outcome: string }[];
    };
    expect(r.sessions.every((x) => x.csrf === undefined)).toBe(true);
    expect(r.sessions.filter((x) => x.current)).toHaveLength(1);
    expect(r.audit.some((a) => a.user === "vic" && a.action === "decide-approval" && a.outcome === "refused")).toBe(true);
    expect(r.audit.some((a) => a.user === "ana" && a.action === "create-silence" && a.outcome === "ok")).toBe(true);
    // vic's page is open on the live stream.
    const stream = await vic.get("/api/stream");
    const reader = stream.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toMatch(/^event: overview\ndata: /);
    const vics = r.sessions.filter((x) => x.user === "vic");
    const last = vics[0]!;
    expect((await ana.post(`/api/sessions/${last.id}/revoke`, {})).status).toBe(200);
    expect((await vic.get("/api/overview")).status).toBe(401);
    // The next update ends the ended session's stream.
    await monitor.publish(hostMetrics, hostSample("kronos", 33));
    for (;;) if ((await reader.read()).done) break;
  });
});

describe("starting", () => {
  it("a port in use is a clear error naming the setting to change", async () => {
    const taken = new URL(base).port;
    const env = { LAG_CONFIG: join(dir, "taken.yaml"), NATS_URL: nats.url };
    writeFileSync(
      env.LAG_CONFIG,
      `dataDir: ${join(dir, "taken")}\ndashboard:\n  listen: { port: ${taken} }\n  metrics: { enabled: false }\n`,
    );
    await expect(startWorker(dashboardWorker, { env, logger: memoryLogger("dashboard-2").logger })).rejects.toThrow(
      `127.0.0.1:${taken} is in use by another program: set dashboard.listen.port (or stop that program)`,
    );
  });
});

describe("metrics", () => {
  it("/metrics parses as Prometheus text and its counters move with traffic", async () => {
    const scrape = async () => {
      const text = await (await fetch(metricsUrl)).text();
      return parsePrometheus(text) as { name: string; type: string; metrics: { value: string; labels?: Record<string, string> }[] }[];
    };
    const value = (fams: Awaited<ReturnType<typeof scrape>>, name: string, labels: Record<string, string> = {}) =>
      Number(
        fams.find((f) => f.name === name)?.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))?.value ?? 0,
      );
    const before = await scrape();
    expect(before.find((f) => f.name === "lag_messages_received_total")?.type).toBe("COUNTER");
    const type = hostMetrics.type;
    const n0 = value(before, "lag_messages_received_total", { type });
    for (let i = 0; i < 5; i++) await monitor.publish(hostMetrics, hostSample("nas", 5));
    await eventually(async () => value(await scrape(), "lag_messages_received_total", { type }) >= n0 + 5, 5_000, "the counter moved");
    const after = await scrape();
    expect(value(after, "lag_dashboard_logins_total", { outcome: "ok" })).toBeGreaterThan(0);
    expect(value(after, "lag_dashboard_logins_total", { outcome: "limited" })).toBeGreaterThan(0);
    expect(
      after
        .find((f) => f.name === "lag_host_seen_age_seconds")
        ?.metrics.map((m) => m.labels?.host)
        .sort(),
    ).toEqual(["dash", "kronos", "nas"]);
    // The bus's own figures: the services running (CEO_LAG's, the monitor's, the incident worker's), streams and dead letters.
    await eventually(
      // Read every 15 s, never on a scrape: wait for a read after the approvals above.
      async () => value(await scrape(), "lag_stream_messages_stored_total", { stream: "LAG_APPROVALS" }) > 0,
      30_000,
      "streams counted",
    );
    const bus = await scrape();
    expect(value(bus, "lag_service_instances", { service: "it-incidents", server: "it-incidents" })).toBe(1);
    expect(value(bus, "lag_service_instances", { service: "ceo-approvals", server: "ceo" })).toBe(1);
    expect(bus.find((f) => f.name === "lag_dead_letters")?.metrics.length).toBeGreaterThan(0);
    // No login there, and nothing else served.
    expect((await fetch(metricsUrl.replace("/metrics", "/"))).status).toBe(404);
  });
});
