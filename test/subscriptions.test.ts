import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTls, type Server as TlsServer } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readChain, type Bus } from "@lag/bus";
import { ceoWorker } from "@lag/ceo-lag";
import {
  type Alert,
  approvalDecided,
  approvalRequests,
  approvalsService,
  type ApprovalDecisionType,
  type ApprovalRequest,
  incidentChanged,
  type InferEvent,
  mailIn,
  subscriptionAlert,
  subscriptionChanged,
  type SubscriptionEvent,
  subscriptionsService,
} from "@lag/contracts";
import { freePort } from "@lag/launcher";
import { incidentsWorker, subscriptionsWorker } from "@lag/it-lag";
import {
  eventually,
  makeCertificate,
  ManualClock,
  memoryLogger,
  startRdapServer,
  startTestNats,
  type TestNats,
  type TestRdapServer,
} from "@lag/testing";
import { startWorker, type RunningWorker } from "@lag/worker";
import { cleanEnv, jsonOf, lag } from "../packages/cli/test/run-lag.fixture.ts";
import { startStandIns, type StandIns } from "./subscriptions.fixture.ts";

/**
 * The subscription worker against real parts: NATS, ICANN's rdap-srv, a TLS server, a WHOIS
 * server on a TCP port, CEO_LAG and the incident worker; GoDaddy, Cloudflare and IANA as local
 * stand-ins speaking their documented shapes.
 */
const DAY = 86_400_000;
const SECRETS = { godaddyKey: "gd-key-s3cr3t", godaddySecret: "gd-secret-s3cr3t", cloudflareToken: "cf-token-s3cr3t" };
let nats: TestNats;
let rdap: TestRdapServer;
let standIns: StandIns;
let tlsServer: TlsServer;
let tlsPort: number;
let certNotAfter: Date;
let cli: Bus;
let dir: string;
let config: string;
let subs: RunningWorker | undefined;
let ceo: RunningWorker | undefined;
let incidents: RunningWorker | undefined;
const subsLog = memoryLogger("it-subscriptions");
const events: SubscriptionEvent[] = [];
const alerts: Alert[] = [];
const requests: ApprovalRequest[] = [];
const decisions: ApprovalDecisionType[] = [];
const changes: InferEvent<typeof incidentChanged>[] = [];

const inDays = (d: number) => new Date(Date.now() + d * DAY).toISOString();
/** Waits until CEO_LAG holds the request (the requester's event may be seen first), then a person decides. */
async function decide(id: string, decision: "approve" | "deny", note?: string): Promise<void> {
  await eventually(
    async () => (await cli.request(approvalsService.endpoints.show, { id }).catch(() => undefined))?.state === "pending",
    10_000,
    `request ${id} pending at CEO_LAG`,
  );
  await cli.request(approvalsService.endpoints.decide, { id, decision, by: "ana", ...(note ? { note } : {}) });
}
const call = <K extends keyof typeof subscriptionsService.endpoints>(
  name: K,
  req: Parameters<typeof cli.request<(typeof subscriptionsService.endpoints)[K]>>[1],
) =>
  cli.request(subscriptionsService.endpoints[name], req as never) as ReturnType<
    typeof cli.request<(typeof subscriptionsService.endpoints)[K]>
  >;
const eventsOf = (id: string, change?: SubscriptionEvent["change"]) =>
  events.filter((e) => e.subscription.id === id && (!change || e.change === change));
const alertsOf = (id: string) => alerts.filter((a) => a.labels.subscription === id);

beforeAll(async () => {
  nats = await startTestNats();
  await nats.provisionStreams();
  rdap = await startRdapServer();
  standIns = await startStandIns(SECRETS);
  dir = mkdtempSync(join(tmpdir(), "lag-subs-"));
  writeFileSync(join(dir, "gd-key"), `${SECRETS.godaddyKey}\n`);
  writeFileSync(join(dir, "gd-secret"), `${SECRETS.godaddySecret}\n`);
  writeFileSync(join(dir, "cf-token"), `${SECRETS.cloudflareToken}\n`);
  // A certificate that expires in 5 days, served on loopback.
  const cert = await makeCertificate({ name: "kronos.test", notAfter: new Date(Date.now() + 5 * DAY), altNames: ["IP:127.0.0.1"] });
  certNotAfter = cert.notAfter;
  tlsServer = createTls({ cert: cert.cert, key: cert.key }, (s) => s.end());
  tlsPort = await freePort();
  await new Promise<void>((r) => tlsServer.listen(tlsPort, "127.0.0.1", r));
  config = join(dir, "lag.yaml");
  await rdap.put("seeded.test", { expiresAt: "2027-09-01T00:00:00Z" });
  writeFileSync(
    config,
    `dataDir: ${dir}
it:
  monitor: { host: kronos }
  incidents: { groupWait: 1s, resolveAfter: 2s, hostSilentAfter: 24h, runbooks: [] }
  subscriptions:
    tick: 1s
    checkEvery: 1h
    retryMin: 300ms
    retryMax: 1s
    reportAfter: 2
    timeout: 3s
    rdap:
      bootstrapUrl: ${standIns.url}/iana/dns.json
      servers: { test: "${rdap.base}", limited: "${standIns.url}/limited/", broken: "${standIns.url}/broken/", entity: "${standIns.url}/broken/" }
      maxRetryAfter: 5s
    whois: { servers: { io: "${standIns.whois}", de: "${standIns.whois}" }, iana: "${standIns.whois}" }
    providers:
      godaddy: { url: "${standIns.url}/godaddy", key: { file: ${dir}/gd-key }, secret: { file: ${dir}/gd-secret } }
      cloudflare: { url: "${standIns.url}/cloudflare", accountId: acc1, token: { file: ${dir}/cf-token } }
    items:
      - { id: seeded, kind: domain, name: seeded.test, source: rdap, notes: "from the config file" }
ceo:
  approvals: { default: ask, expiryCheck: 1s, budget: [{ currency: EUR, monthly: 50 }] }
`,
  );
  cli = await nats.bus("cli");
  cli.subscribe(subscriptionChanged, (d) => void events.push(d.data));
  cli.subscribe(subscriptionAlert, (d) => void alerts.push(d.data));
  cli.subscribe(approvalRequests["it-subscriptions"], (d) => void requests.push(d.data));
  cli.subscribe(approvalDecided, (d) => void decisions.push(d.data));
  cli.subscribe(incidentChanged, (d) => void changes.push(d.data));
  await cli.nc.flush();
  const env = { LAG_CONFIG: config, NATS_URL: nats.url };
  ceo = await startWorker(ceoWorker, { env, logger: memoryLogger("ceo").logger });
  incidents = await startWorker(incidentsWorker, { env, logger: memoryLogger("it-incidents").logger });
  subs = await startWorker(subscriptionsWorker, { env, logger: subsLog.logger });
}, 90_000);

afterAll(async () => {
  await subs?.shutdown();
  await incidents?.shutdown();
  await ceo?.shutdown();
  await cli?.close();
  await new Promise((r) => tlsServer?.close(r));
  await standIns?.stop();
  await rdap?.stop();
  await nats?.stop();
});

describe("the register and its sources", () => {
  it("seeds the register from the config file and reads the domain's expiry from RDAP (rdap-srv)", async () => {
    await eventually(() => eventsOf("seeded", "expiry-changed").length > 0, 15_000, "the seeded domain read from RDAP");
    const { subscription, history } = await call("show", { id: "seeded" });
    expect(subscription.origin).toBe("config");
    expect(subscription.expiresAt).toBe("2027-09-01T00:00:00.000Z");
    expect(subscription.expirySource).toMatchObject({ kind: "rdap", detail: `${rdap.base}domain/seeded.test` });
    expect(history.map((h) => h.change).reverse()).toEqual(["added", "expiry-changed"]);
  });

  it("a source that disagrees with the register updates it and says so", async () => {
    await rdap.put("seeded.test", { expiresAt: "2028-09-01T00:00:00Z" });
    const [s] = (await call("check", { id: "seeded" })).subscriptions;
    expect(s!.expiresAt).toBe("2028-09-01T00:00:00.000Z");
    const e = eventsOf("seeded", "expiry-changed").at(-1)!;
    expect(e.previousExpiresAt).toBe("2027-09-01T00:00:00.000Z");
    expect(e.note).toContain("2028-09-01");
    expect(e.note).toContain("the register had 2027-09-01");
  });

  it("a domain the registry does not know (RDAP 404) is an error on the subscription, never a crash", async () => {
    const s = await call("add", { subscription: { id: "ghost", kind: "domain", name: "ghost.test", source: "rdap" }, by: "ana" });
    expect(s.expiresAt).toBeUndefined();
    expect(s.check.error).toMatch(/no such domain \(HTTP 404\)/);
    await call("remove", { id: "ghost", by: "ana" });
  });

  it("a 429 with a short Retry-After is waited out; a long one puts the next read after it", async () => {
    standIns.limited.remaining = 1;
    standIns.limited.retryAfter = 1;
    standIns.limited.hits = [];
    const s = await call("add", { subscription: { id: "limited", kind: "domain", name: "shop.limited", source: "rdap" }, by: "ana" });
    expect(s.expiresAt).toBe("2027-06-01T00:00:00.000Z");
    // The 429 first, the next request only after its Retry-After.
    const hits = standIns.limited.hits;
    expect(hits[0]!.status).toBe(429);
    expect(hits[1]!.status).toBe(200);
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(1000);

    standIns.limited.remaining = 5;
    standIns.limited.retryAfter = 3600;
    const before = Date.now();
    const [again] = (await call("check", { id: "limited" })).subscriptions;
    expect(again!.check.error).toMatch(/rate limited \(HTTP 429, retry after 3600 s\)/);
    expect(Date.parse(again!.check.nextAt!)).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect(again!.expiresAt).toBe("2027-06-01T00:00:00.000Z");
    await call("remove", { id: "limited", by: "ana" });
  });

  it("malformed answers are named; a source that keeps failing is reported once (event and alert) and its recovery too", async () => {
    const html = await call("add", { subscription: { id: "page", kind: "domain", name: "page.broken", source: "rdap" }, by: "ana" });
    expect(html.check.error).toMatch(/not an RDAP domain answer \(not JSON\)/);
    const entity = await call("add", { subscription: { id: "thing", kind: "domain", name: "thing.entity", source: "rdap" }, by: "ana" });
    expect(entity.check.error).toMatch(/not an RDAP domain answer \(objectClassName: /);
    // Retried with back-off in the background: reported after 2 failures, once.
    await eventually(() => eventsOf("page", "source-failed").length === 1, 15_000, "the failing source reported");
    await eventually(() => alertsOf("page").some((a) => a.rule === "subscription-source-failed"), 10_000, "its alert");
    await new Promise((r) => setTimeout(r, 2500));
    expect(eventsOf("page", "source-failed")).toHaveLength(1);
    expect(alertsOf("page").filter((a) => a.rule === "subscription-source-failed" && a.status === "firing")).toHaveLength(1);
    expect((await call("show", { id: "page" })).subscription.check.state).toBe("failing");
    // The registry answers again: recovered, the alert resolved.
    await call("edit", { id: "page", set: { name: "page.test" }, by: "ana" });
    await rdap.put("page.test", { expiresAt: "2027-02-02T00:00:00Z" });
    await call("check", { id: "page" });
    await eventually(() => eventsOf("page", "source-recovered").length === 1, 10_000, "recovered");
    await eventually(
      () => alertsOf("page").some((a) => a.rule === "subscription-source-failed" && a.status === "resolved"),
      10_000,
      "its alert resolved",
    );
    expect(subsLog.text()).not.toMatch(/unhandled|uncaught/i);
    await call("remove", { id: "page", by: "ana" });
    await call("remove", { id: "thing", by: "ana" });
  });

  it("a TLD without RDAP in IANA's data (.io) falls back to WHOIS, and says so", async () => {
    standIns.whoisAnswers.set(
      "lagrieta.io",
      "Domain Name: lagrieta.io\r\nRegistry Domain ID: 1234_DOMAIN_IO-VRSN\r\nRegistrar WHOIS Server: whois.nic.io\r\nUpdated Date: 2026-01-02T03:04:05Z\r\nCreation Date: 2020-01-02T03:04:05Z\r\nRegistry Expiry Date: 2027-01-02T03:04:05Z\r\nRegistrar: Example Registrar\r\n",
    );
    const s = await call("add", { subscription: { id: "io", kind: "domain", name: "lagrieta.io" }, by: "ana" });
    expect(s.expiresAt).toBe("2027-01-02T03:04:05.000Z");
    expect(s.expirySource).toMatchObject({ kind: "whois", detail: standIns.whois });
  });

  it("a registry whose WHOIS gives no expiry (.de) keeps a date by hand, marked manual", async () => {
    standIns.whoisAnswers.set("lagrieta.de", "Domain: lagrieta.de\r\nStatus: connect\r\nChanged: 2026-03-04T10:00:00+01:00\r\n");
    const s = await call("add", { subscription: { id: "de", kind: "domain", name: "lagrieta.de", noticeDays: 30 }, by: "ana" });
    expect(s.check.error).toMatch(/no expiry date in the answer/);
    const edited = await call("edit", { id: "de", set: { expiresAt: "2027-05-01T00:00:00.000Z", source: "manual" }, by: "ana" });
    expect(edited.expiresAt).toBe("2027-05-01T00:00:00.000Z");
    expect(edited.expirySource).toMatchObject({ kind: "manual", detail: "set by ana" });
    expect(edited.check.state).toBe("none");
    expect(edited.check.error).toBeUndefined();
    // The notice period is tracked apart from the expiry.
    expect(edited.noticeAt).toBe("2027-04-01T00:00:00.000Z");
  });

  it("a certificate's expiry is read by connecting: 5 days left warns at the 7-day lead time with a high alert", async () => {
    const s = await call("add", { subscription: { id: "web-cert", kind: "certificate", name: `127.0.0.1:${tlsPort}` }, by: "ana" });
    expect(s.expirySource?.kind).toBe("tls");
    expect(Date.parse(s.expiresAt!)).toBe(certNotAfter.getTime());
    await eventually(() => alertsOf("web-cert").length > 0, 10_000, "the certificate warned of");
    expect(alertsOf("web-cert")).toHaveLength(1);
    expect(alertsOf("web-cert")[0]).toMatchObject({ rule: "subscription-expiring", severity: "high", threshold: 7 });
    expect(alertsOf("web-cert")[0]!.summary).toMatch(/certificate 127\.0\.0\.1:\d+ expires in 5 days/);
  });

  it("a refreshed bootstrap is used; a bad one leaves the copy in use", async () => {
    expect(await call("bootstrap", {})).toMatchObject({ origin: "shipped", publication: "2026-08-24T00:00:00Z" });
    expect((await call("bootstrap", {})).tlds).toBeGreaterThan(1000);
    standIns.iana.body = undefined;
    const bad = await call("bootstrap", { refresh: true });
    expect(bad.error).toMatch(/not an RDAP bootstrap file/);
    expect(bad.origin).toBe("shipped");
    standIns.iana.body = { version: "1.0", publication: "2026-11-30T19:00:00Z", services: [[["boot"], [rdap.base]]] };
    const good = await call("bootstrap", { refresh: true });
    expect(good).toMatchObject({ origin: "fetched", publication: "2026-11-30T19:00:00Z", tlds: 1 });
    await rdap.put("lag.boot", { expiresAt: "2027-03-03T00:00:00Z" });
    const s = await call("add", { subscription: { id: "boot", kind: "domain", name: "lag.boot", source: "rdap" }, by: "ana" });
    expect(s.expiresAt).toBe("2027-03-03T00:00:00.000Z");
    expect(s.expirySource?.detail).toBe(`${rdap.base}domain/lag.boot`);
  });

  it("a NoIP confirmation mail's event sets the hostname's deadline (and adds a hostname not yet known)", async () => {
    const it_mail = await nats.bus("it-mail");
    const deadline = inDays(6);
    const base = {
      kind: "noip-confirm" as const,
      messageId: "<noip-1@noip.com>",
      mailbox: "INBOX",
      uid: 7,
      from: "no-reply@noip.com",
      subject: "ACTION REQUIRED: lagrieta.ddns.net is Expiring Soon",
      receivedAt: new Date().toISOString(),
      authenticated: true,
      classifier: "noip",
      hostname: "lagrieta.ddns.net",
      deadline,
      link: "https://www.noip.com/confirm-host?n=abc123",
    };
    await it_mail.publish(mailIn, base);
    await eventually(async () => (await call("list", { kind: "hostname" })).subscriptions.length === 1, 10_000, "the hostname added");
    const [h] = (await call("list", { kind: "hostname" })).subscriptions;
    expect(h).toMatchObject({ id: "lagrieta-ddns-net", provider: "noip", origin: "mail", expiresAt: deadline, link: base.link });
    expect(h!.expirySource?.kind).toBe("mail");
    // The next month's mail moves the deadline.
    const next = inDays(36);
    await it_mail.publish(mailIn, {
      ...base,
      messageId: "<noip-2@noip.com>",
      uid: 8,
      deadline: next,
      link: "https://www.noip.com/confirm-host?n=def456",
    });
    await eventually(
      async () => (await call("show", { id: "lagrieta-ddns-net" })).subscription.expiresAt === next,
      10_000,
      "the deadline moved",
    );
    expect(eventsOf("lagrieta-ddns-net", "expiry-changed").at(-1)!.note).toContain("confirm-host?n=def456");
    // 6 days left was warned of (high), and moved past every lead time it is resolved.
    await eventually(() => alertsOf("lagrieta-ddns-net").length === 2, 10_000, "the warning resolved");
    expect(alertsOf("lagrieta-ddns-net").map((a) => [a.status, a.severity])).toEqual([
      ["firing", "high"],
      ["resolved", "high"],
    ]);
    await it_mail.close();
  });

  it("the calendar feed has every expiry and notice date, folded and with alarms", async () => {
    const { ics, events: n } = await call("ics", {});
    const all = (await call("list", {})).subscriptions;
    const dates = all.reduce((k, s) => k + (s.expiresAt ? 1 : 0) + (s.noticeAt ? 1 : 0), 0);
    expect(n).toBe(dates);
    expect(ics.startsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")).toBe(true);
    expect(ics.endsWith("END:VCALENDAR\r\n")).toBe(true);
    expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(dates);
    expect(ics).toContain("UID:de-notice@lag.kronos");
    expect(ics).toContain("DTSTART;VALUE=DATE:20270401");
    expect(ics).toContain("TRIGGER:-P30D");
    for (const line of ics.split("\r\n")) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(ics.split("\r\n").every((l, i, xs) => i === xs.length - 1 || l.length > 0)).toBe(true);
  });

  it("lag subs list, show, add, edit, ics and remove work from the CLI, with --json", async () => {
    const env = cleanEnv({ NATS_URL: nats.url, LAG_USER: "ana" });
    const added = await lag(
      [
        "subs",
        "add",
        "immich-plan",
        "--kind",
        "plan",
        "--name",
        "Immich Plus",
        "--expires",
        "2027-03-01",
        "--notice",
        "30",
        "--cost",
        "25 EUR",
        "--json",
      ],
      env,
    );
    expect(added.code, added.stderr).toBe(0);
    expect(jsonOf(added)).toMatchObject({ id: "immich-plan", cost: { amount: 25, currency: "EUR" }, noticeAt: "2027-01-30T00:00:00.000Z" });
    const edited = await lag(["subs", "edit", "immich-plan", "--cost", "none", "--lead", "60,7", "--json"], env);
    expect(edited.code, edited.stderr).toBe(0);
    expect(jsonOf(edited)).toMatchObject({ leadDays: [60, 7] });
    expect((jsonOf(edited) as { cost?: unknown }).cost).toBeUndefined();
    const list = await lag(["subs", "list", "--json"], env);
    expect((jsonOf(list) as { id: string }[]).map((s) => s.id)).toContain("immich-plan");
    const show = await lag(["subs", "show", "immich-plan"], env);
    expect(show.stdout).toMatch(/added +person:ana/);
    expect(show.stdout).toMatch(/edited +person:ana +changed cost, leadDays/);
    const table = await lag(["subs"], env);
    expect(table.stdout).toMatch(/immich-plan +plan Immich Plus/);
    const ics = await lag(["subs", "ics"], env);
    expect(ics.stdout).toContain("SUMMARY:Immich Plus expires");
    const bad = await lag(["subs", "add", "x", "--kind", "domain"], env);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain("--kind and --name are required");
    const removed = await lag(["subs", "remove", "immich-plan"], env);
    expect(removed.code, removed.stderr).toBe(0);
    const gone = await lag(["subs", "show", "immich-plan"], env);
    expect(gone.code).not.toBe(0);
    expect(gone.stderr).toContain("no subscription immich-plan");
  });
});

describe("provider adapters", () => {
  it("GoDaddy: the expiry from GET /v1/domains/{domain}; a small account's 403 ACCESS_DENIED falls back to RDAP", async () => {
    standIns.godaddy.set("big.test", { mode: "allowed", expires: "2027-08-08T08:08:08.000Z" });
    const big = await call("add", { subscription: { id: "big", kind: "domain", name: "big.test", provider: "godaddy" }, by: "ana" });
    expect(big.expirySource).toMatchObject({ kind: "provider", detail: "godaddy API" });
    expect(big.expiresAt).toBe("2027-08-08T08:08:08.000Z");
    // Its API would spend money: without a cost there is no approval to ask, so nothing is renewed.
    await expect(call("renew", { id: "big", by: "ana" })).rejects.toThrow(/big has no cost: a renewal through godaddy's API spends money/);
    expect(standIns.renewals.filter((r) => r.domain === "big.test")).toHaveLength(0);
    standIns.godaddy.set("small.test", { mode: "denied", expires: "2030-01-01T00:00:00.000Z" });
    await rdap.put("small.test", { expiresAt: "2027-04-04T00:00:00Z" });
    const small = await call("add", { subscription: { id: "small", kind: "domain", name: "small.test", provider: "godaddy" }, by: "ana" });
    expect(small.expirySource?.kind).toBe("rdap");
    expect(small.expiresAt).toBe("2027-04-04T00:00:00.000Z");
  });

  it("GoDaddy: 429 TOO_MANY_REQUESTS' retryAfterSec sets the next read; secrets never reach an error or the log", async () => {
    standIns.godaddy.set("busy.test", { mode: "limited", expires: "2027-01-01T00:00:00.000Z" });
    const before = Date.now();
    const s = await call("add", {
      subscription: { id: "busy", kind: "domain", name: "busy.test", provider: "godaddy", source: "provider" },
      by: "ana",
    });
    expect(s.check.error).toMatch(/GoDaddy GET \/v1\/domains\/busy\.test: rate limited \(TOO_MANY_REQUESTS: Too many requests\)/);
    expect(Date.parse(s.check.nextAt!)).toBeGreaterThanOrEqual(before + 42_000 - 1000);
    const everything = JSON.stringify(events) + subsLog.text();
    for (const secret of Object.values(SECRETS)) expect(everything).not.toContain(secret);
    await call("remove", { id: "busy", by: "ana" });
  });

  it("Cloudflare: expires_at from the registrar API; a 429's Retry-After is honoured; an approved renewal turns auto_renew on", async () => {
    standIns.cloudflare.set("cf.test", { expires_at: "2027-07-07T00:00:00Z", auto_renew: false });
    const s = await call("add", {
      subscription: { id: "cf", kind: "domain", name: "cf.test", provider: "cloudflare", cost: { amount: 9.77, currency: "USD" } },
      by: "ana",
    });
    expect(s.expirySource).toMatchObject({ kind: "provider", detail: "cloudflare API" });
    expect(s.expiresAt).toBe("2027-07-07T00:00:00.000Z");
    standIns.cloudflareLimited.retryAfter = 120;
    const before = Date.now();
    const [limited] = (await call("check", { id: "cf" })).subscriptions;
    expect(limited!.check.error).toMatch(/Cloudflare GET cf\.test: rate limited \(10000 Rate limited\)/);
    expect(Date.parse(limited!.check.nextAt!)).toBeGreaterThanOrEqual(before + 120_000 - 1000);
    delete standIns.cloudflareLimited.retryAfter;
    // USD has no budget: CEO_LAG asks a person, who approves.
    const asked = await call("renew", { id: "cf", by: "ana" });
    expect(asked.renewalState).toMatchObject({ state: "requested", cost: { amount: 9.77, currency: "USD" } });
    await decide(asked.renewalState!.requestId!, "approve");
    await eventually(() => standIns.cloudflarePuts.length === 1, 10_000, "auto_renew turned on");
    expect(standIns.cloudflarePuts[0]).toMatchObject({
      domain: "cf.test",
      body: { auto_renew: true },
      auth: `Bearer ${SECRETS.cloudflareToken}`,
    });
    await eventually(async () => (await call("show", { id: "cf" })).subscription.renewalState?.state === "renewing", 10_000, "renewing");
    expect(eventsOf("cf", "provider-updated").at(-1)!.note).toContain("auto-renew turned on at cloudflare");
  });
});

describe("renewals through CEO_LAG (flow 3)", () => {
  it("14 days and 12 EUR: warning → approval request → approved by policy under budget → GoDaddy renew → RDAP shows it → register updated → incident resolved", async () => {
    const expires = inDays(14 - 1 / 24);
    const renewed = new Date(Date.parse(expires) + 365 * DAY).toISOString();
    await rdap.put("kronos-flow.test", { expiresAt: expires });
    standIns.godaddy.set("kronos-flow.test", {
      mode: "allowed",
      expires,
      onRenew: async (period) => {
        expect(period).toBe(1);
        await rdap.put("kronos-flow.test", { expiresAt: renewed });
      },
    });
    await call("add", {
      subscription: {
        id: "flow",
        kind: "domain",
        name: "kronos-flow.test",
        provider: "godaddy",
        source: "rdap",
        cost: { amount: 12, currency: "EUR" },
        renewal: "approval",
      },
      by: "ana",
    });
    // The warning: a medium alert, which becomes an incident.
    await eventually(() => alertsOf("flow").some((a) => a.status === "firing"), 10_000, "the 14-day warning");
    expect(alertsOf("flow")[0]).toMatchObject({ severity: "medium", threshold: 14 });
    await eventually(
      () => changes.some((c) => c.entry.kind === "opened" && c.incident.group.subscription === "flow"),
      15_000,
      "an incident opened for it",
    );
    // The approval request, with its cost; approved by the policy (12 EUR within the 50 EUR budget).
    await eventually(() => requests.some((r) => r.links.subscription === "flow"), 10_000, "the approval request");
    const req = requests.find((r) => r.links.subscription === "flow")!;
    expect(req.action).toEqual({
      kind: "renew-subscription",
      params: { subscription: "flow", name: "kronos-flow.test", provider: "godaddy", years: 1 },
    });
    expect(req.cost).toEqual({ amount: 12, currency: "EUR" });
    await eventually(() => decisions.some((d) => d.requestId === req.id), 10_000, "CEO_LAG's decision");
    expect(decisions.find((d) => d.requestId === req.id)).toMatchObject({
      decision: "approved",
      rule: "small-renewals",
      by: { kind: "policy" },
    });
    // The renewal call, then RDAP shows the new date and the register follows.
    await eventually(() => standIns.renewals.some((r) => r.domain === "kronos-flow.test"), 10_000, "the renewal call");
    expect(standIns.renewals.find((r) => r.domain === "kronos-flow.test")!.auth).toBe(
      `sso-key ${SECRETS.godaddyKey}:${SECRETS.godaddySecret}`,
    );
    await eventually(() => eventsOf("flow", "renewed").length === 1, 15_000, "renewed, as the source shows");
    const { subscription } = await call("show", { id: "flow" });
    expect(subscription.expiresAt).toBe(renewed);
    expect(subscription.expirySource?.kind).toBe("rdap");
    expect(subscription.renewalState).toMatchObject({ state: "done", requestId: req.id });
    // The warning resolved, and with it the incident.
    await eventually(() => alertsOf("flow").at(-1)?.status === "resolved", 10_000, "its warning resolved");
    await eventually(
      () => changes.some((c) => c.entry.kind === "resolved" && c.incident.group.subscription === "flow"),
      15_000,
      "the incident resolved",
    );
    const budget = await cli.request(approvalsService.endpoints.budget, {});
    expect(budget.lines.find((l) => l.currency === "EUR")).toMatchObject({ spent: 12, left: 38 });
    // One chain from the request to the new date, across it-subscriptions and CEO_LAG (`lag trace`).
    const chain = await readChain(cli, req.id);
    expect(chain?.id).toBe(req.id);
    const steps = chain!.events.map((e) => (e.type.includes("subscription") ? `subscription ${String(e.data.change)}` : e.type));
    expect(steps).toEqual([
      "subscription renewal-requested",
      "es.lagrieta.it.approval.requested.v1",
      "es.lagrieta.ceo.approval.decided.v1",
      "subscription provider-updated",
      "subscription renewed",
    ]);
    expect(chain!.events.find((e) => e.data.change === "provider-updated")?.causationid).toBe(`dec-${req.id}`);
  });

  it("over the policy's limit it asks a person, and nothing is renewed until approved", async () => {
    const expires = inDays(13);
    await rdap.put("kronos-ask.test", { expiresAt: expires });
    standIns.godaddy.set("kronos-ask.test", {
      mode: "allowed",
      expires,
      onRenew: () => rdap.put("kronos-ask.test", { expiresAt: new Date(Date.parse(expires) + 2 * 365 * DAY).toISOString() }),
    });
    await call("add", {
      subscription: {
        id: "ask",
        kind: "domain",
        name: "kronos-ask.test",
        provider: "godaddy",
        source: "rdap",
        cost: { amount: 15, currency: "EUR" },
        period: 2,
        renewal: "approval",
      },
      by: "ana",
    });
    await eventually(() => requests.some((r) => r.links.subscription === "ask"), 10_000, "the approval request");
    const req = requests.find((r) => r.links.subscription === "ask")!;
    expect(req.cost).toEqual({ amount: 30, currency: "EUR" });
    await eventually(
      async () => (await cli.request(approvalsService.endpoints.show, { id: req.id })).state === "pending",
      10_000,
      "pending",
    );
    // A few ticks later: still nothing renewed.
    await new Promise((r) => setTimeout(r, 2500));
    expect(standIns.renewals.filter((r) => r.domain === "kronos-ask.test")).toHaveLength(0);
    expect((await call("show", { id: "ask" })).subscription.renewalState?.state).toBe("requested");
    // A second renewal while one waits is refused.
    await expect(call("renew", { id: "ask", by: "ana" })).rejects.toThrow(/is requested already/);
    await decide(req.id, "approve", "yes");
    await eventually(() => eventsOf("ask", "renewed").length === 1, 15_000, "renewed once approved");
    expect(standIns.renewals.filter((r) => r.domain === "kronos-ask.test")).toEqual([expect.objectContaining({ period: 2 })]);
  });

  it("renewed by hand while its approval waits: nothing is renewed, and the request is withdrawn", async () => {
    const expires = inDays(12);
    await rdap.put("by-hand.test", { expiresAt: expires });
    standIns.godaddy.set("by-hand.test", { mode: "allowed", expires });
    await call("add", {
      subscription: {
        id: "by-hand",
        kind: "domain",
        name: "by-hand.test",
        provider: "godaddy",
        source: "rdap",
        cost: { amount: 35, currency: "EUR" },
        renewal: "approval",
      },
      by: "ana",
    });
    await eventually(() => requests.some((r) => r.links.subscription === "by-hand"), 10_000, "the approval request");
    const req = requests.find((r) => r.links.subscription === "by-hand")!;
    await eventually(
      async () => (await cli.request(approvalsService.endpoints.show, { id: req.id })).state === "pending",
      10_000,
      "pending",
    );
    await rdap.put("by-hand.test", { expiresAt: new Date(Date.parse(expires) + 365 * DAY).toISOString() });
    await call("check", { id: "by-hand" });
    await eventually(() => eventsOf("by-hand", "renewed").length === 1, 10_000, "seen renewed");
    expect(eventsOf("by-hand", "renewed")[0]!.note).toContain("before the approval was decided: renewed elsewhere");
    await eventually(
      async () => (await cli.request(approvalsService.endpoints.show, { id: req.id })).state === "cancelled",
      10_000,
      "withdrawn",
    );
    expect(standIns.renewals.filter((r) => r.domain === "by-hand.test")).toHaveLength(0);
    await eventually(() => alertsOf("by-hand").at(-1)?.status === "resolved", 10_000, "its warning resolved");
  });

  it("a small account's renewal is a task for the operator, closed when RDAP shows the new date; a denied one is not done", async () => {
    const expires = inDays(10);
    await rdap.put("small-flow.test", { expiresAt: expires });
    standIns.godaddy.set("small-flow.test", { mode: "denied", expires });
    await call("add", {
      subscription: {
        id: "small-flow",
        kind: "domain",
        name: "small-flow.test",
        provider: "godaddy",
        cost: { amount: 5, currency: "EUR" },
        renewal: "approval",
      },
      by: "ana",
    });
    await eventually(() => eventsOf("small-flow", "task-opened").length === 1, 15_000, "a task opened");
    const task = (await call("show", { id: "small-flow" })).subscription.renewalState!;
    expect(task).toMatchObject({ state: "task", link: "https://dcc.godaddy.com/control/portfolio", cost: { amount: 5, currency: "EUR" } });
    expect(task.note).toContain(`before ${expires.slice(0, 10)}`);
    expect(standIns.renewals.filter((r) => r.domain === "small-flow.test")).toHaveLength(0);
    // The operator renews by hand; the registry shows it; the task is closed.
    await rdap.put("small-flow.test", { expiresAt: new Date(Date.parse(expires) + 365 * DAY).toISOString() });
    await call("check", { id: "small-flow" });
    await eventually(() => eventsOf("small-flow", "task-closed").length === 1, 10_000, "the task closed");

    // Denied: nothing done, the warning stays.
    await rdap.put("denied.test", { expiresAt: inDays(9) });
    await call("add", {
      subscription: {
        id: "denied",
        kind: "domain",
        name: "denied.test",
        source: "rdap",
        cost: { amount: 40, currency: "EUR" },
        renewal: "approval",
      },
      by: "ana",
    });
    await eventually(() => requests.some((r) => r.links.subscription === "denied"), 10_000, "asked");
    const req = requests.find((r) => r.links.subscription === "denied")!;
    await decide(req.id, "deny", "let it go");
    await eventually(() => eventsOf("denied", "renewal-denied").length === 1, 10_000, "denied");
    expect((await call("show", { id: "denied" })).subscription.renewalState).toMatchObject({ state: "denied" });
    expect(alertsOf("denied").at(-1)!.status).toBe("firing");
  });
});

describe("lead times with an injected clock", () => {
  let nats2: TestNats;
  let watcher: Bus;
  let cfg2: string;
  const seen: Alert[] = [];
  const nas = () => seen.filter((a) => a.labels.subscription === "nas-plan");

  beforeAll(async () => {
    nats2 = await startTestNats();
    await nats2.provisionStreams();
    const d = join(dir, "clock");
    mkdirSync(d);
    cfg2 = join(d, "lag.yaml");
    writeFileSync(
      cfg2,
      `dataDir: ${d}
it:
  monitor: { host: kronos }
  subscriptions:
    tick: 1h
    items:
      - { id: nas-plan, kind: plan, name: "Synology C2", provider: synology, expiresAt: "2026-12-21T01:00:00Z" }
      - { id: vps, kind: plan, name: "VPS", provider: hetzner, expiresAt: "2026-12-31T01:00:00Z", noticeDays: 20 }
`,
    );
    watcher = await nats2.bus("cli");
    watcher.subscribe(subscriptionAlert, (m) => void seen.push(m.data));
    await watcher.nc.flush();
  });

  afterAll(async () => {
    await watcher?.close();
    await nats2?.stop();
  });

  it("each lead time warns exactly once, with rising severity, also when the worker was down over it", async () => {
    const clock = new ManualClock("2026-12-01T00:00:00Z");
    const log = memoryLogger("it-subs-clock");
    const start = () =>
      startWorker(subscriptionsWorker, {
        env: { LAG_CONFIG: cfg2, NATS_URL: nats2.url },
        clock,
        logger: log.logger,
      });
    let w = await start();
    // 20 days left: the 30-day lead time.
    await eventually(() => nas().length === 1, 10_000, "the 30-day warning").catch((err: Error) => {
      throw new Error(`${err.message}; the worker said: ${log.text()}`);
    });
    await clock.advance(3 * 3_600_000);
    // 14 days left.
    await clock.advanceTo("2026-12-07T02:00:00Z");
    await eventually(() => nas().length === 2, 10_000, "the 14-day warning");
    await clock.advance(5 * 3_600_000);
    await w?.shutdown();
    // Down over the 7-day lead time; back with 6.5 days left: it is warned of once.
    await clock.advanceTo("2026-12-14T13:00:00Z");
    w = await start();
    await eventually(() => nas().length === 3, 10_000, "the 7-day warning after the restart");
    await clock.advance(4 * 3_600_000);
    // A restart in between repeats nothing.
    await w?.shutdown();
    w = await start();
    await clock.advance(2 * 3_600_000);
    await clock.advanceTo("2026-12-18T02:00:00Z");
    await eventually(() => nas().length === 4, 10_000, "the 3-day warning");
    await clock.advanceTo("2026-12-20T02:00:00Z");
    await eventually(() => nas().length === 5, 10_000, "the 1-day warning");
    // Passed.
    await clock.advanceTo("2026-12-21T03:00:00Z");
    await eventually(() => nas().length === 6, 10_000, "expired");
    await clock.advance(5 * 3_600_000);
    await w?.shutdown();
    await new Promise((r) => setTimeout(r, 300));
    expect(nas().map((a) => [a.status, a.severity, a.threshold, a.repeat])).toEqual([
      ["firing", "low", 30, 0],
      ["firing", "medium", 14, 1],
      ["firing", "high", 7, 2],
      ["firing", "high", 3, 3],
      ["firing", "high", 1, 4],
      ["firing", "critical", 0, 5],
    ]);
    expect(nas()[5]!.summary).toContain("plan Synology C2 EXPIRED on 2026-12-21");
    expect(new Set(nas().map((a) => a.fingerprint))).toEqual(new Set(["subscription-expiring/kronos/date=expiry,subscription=nas-plan"]));
    // The notice date (20 days before the VPS's expiry) is warned of apart from the expiry, with its own alert.
    const vps = (date: string) =>
      seen.filter((a) => a.labels.subscription === "vps" && a.labels.date === date).map((a) => [a.severity, a.threshold]);
    expect(vps("notice")).toEqual([
      ["medium", 14],
      ["high", 7],
      ["critical", 0],
    ]);
    expect(vps("expiry")).toEqual([
      ["low", 30],
      ["medium", 14],
    ]);
    expect(seen.find((a) => a.labels.subscription === "vps" && a.threshold === 0)!.summary).toBe(
      "plan VPS notice date 2026-12-11 has passed; renew by hand",
    );
  });
  it("a change in the config file is applied over the register, and what a person edited elsewhere stays", async () => {
    const clock = new ManualClock("2026-12-22T00:00:00Z");
    const env = { LAG_CONFIG: cfg2, NATS_URL: nats2.url };
    let w = await startWorker(subscriptionsWorker, { env, clock, logger: memoryLogger("it-subs-clock").logger });
    await watcher.request(subscriptionsService.endpoints.edit, { id: "vps", set: { notes: "paid by card" }, by: "ana" });
    await w.shutdown();
    writeFileSync(
      cfg2,
      readFileSync(cfg2, "utf8").replace(
        'name: "VPS", provider: hetzner',
        'name: "VPS CX22", provider: hetzner, cost: { amount: 4.5, currency: EUR }',
      ),
    );
    w = await startWorker(subscriptionsWorker, { env, clock, logger: memoryLogger("it-subs-clock").logger });
    const { subscription, history } = await watcher.request(subscriptionsService.endpoints.show, { id: "vps" });
    expect(subscription).toMatchObject({ name: "VPS CX22", cost: { amount: 4.5, currency: "EUR" }, notes: "paid by card" });
    expect(history[0]).toMatchObject({
      change: "edited",
      by: { kind: "worker", name: "config" },
      note: "changed in the configuration file: name, cost",
    });
    // Unchanged since: a restart applies nothing.
    await w.shutdown();
    w = await startWorker(subscriptionsWorker, { env, clock, logger: memoryLogger("it-subs-clock").logger });
    expect((await watcher.request(subscriptionsService.endpoints.show, { id: "vps" })).history[0]!.note).toBe(
      "changed in the configuration file: name, cost",
    );
    await w.shutdown();
  });
});
