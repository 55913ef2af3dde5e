/**
 * The production NATS config (infra/nats/prod.conf, generated from the contracts) on a real
 * nats-server: every principal can do its job, and nothing else.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AckPolicy } from "@nats-io/jetstream";
import { Svcm } from "@nats-io/services";
import { type Bus, parkDeadLetter, readChain, type Delivery } from "@lag/bus";
import {
  alert,
  approvalDecided,
  approvalRequests,
  approvalsStream,
  catalog,
  ceoItInbox,
  dlqStreamOf,
  Headers,
  hostMetrics,
  itStream,
  monitorService,
  reservationsService,
  storageService,
  type Alert,
  type ApprovalDecision,
  type HostMetrics,
  type Principal,
  type StorageReport,
} from "@lag/contracts";
import { ADMIN_USER, CLUSTER_DIR, CLUSTER_NODES, derivePermissions, PROD_CONF_FILE } from "@lag/contracts/generate";
import { eventually, memoryLogger, startTestCluster, startTestNats, type MemoryLogger, type TestNats } from "@lag/testing";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const users = derivePermissions(catalog);
// Letters and digits starting with a letter: nats-server reads `$VAR` values as config values.
const passwords: Record<string, string> = Object.fromEntries(users.map((u) => [u.user, `lag${randomBytes(12).toString("hex")}`]));
const env = Object.fromEntries(users.map((u) => [u.passwordEnv, passwords[u.user]!]));

let nats: TestNats;
const logs = new Map<string, MemoryLogger>();
const buses = new Map<Principal, Bus>();

/** A bus connected with the principal's own production credentials. */
async function as(p: Principal): Promise<Bus> {
  const existing = buses.get(p);
  if (existing) return existing;
  const logger = memoryLogger(p);
  logs.set(p, logger);
  const bus = await nats.bus(p, { user: p, password: passwords[p]!, logger });
  buses.set(p, bus);
  return bus;
}

const denied = (p: Principal, operation: "publish" | "subscription", subject: string) =>
  logs.get(p)!.waitFor((l) => l.msg === `permission denied: ${operation} on ${subject}`, 5_000);

const deniedLines = (p: Principal) => logs.get(p)!.lines.filter((l) => String(l.msg).startsWith("permission denied"));

const report = (): StorageReport => storageService.endpoints.query.example.reply;
const alertFor = (rule: string): Alert => ({ ...alert.example, rule, fingerprint: `fp-${rule}` });

beforeAll(async () => {
  nats = await startTestNats({ config: readFileSync(join(root, PROD_CONF_FILE), "utf8"), env });
  const mon = await as("it-monitor");
  await mon.ensureStreams();
  // Every principal creates the streams it owns at start (its dead letters included), as its worker does.
  await (await as("it-incidents")).ensureStreams(catalog.streams.filter((s) => s.owner === "it-incidents"));
  await (await as("ceo")).ensureStreams();
  await (await as("it-incidents")).ensureStreams();
  const storage = await as("it-storage");
  await storage.ensureStreams();
  await (await as("it-backup")).ensureStreams(catalog.streams.filter((s) => s.owner === "it-backup"));
  await (await as("media")).ensureStreams();
  // The storage worker serves two services on one connection, as it-storage does in production.
  await storage.serve(storageService, { query: () => report() });
  await storage.serve(reservationsService, {
    reserve: () => ({ granted: false as const, reason: "test", alternatives: [] }),
    shrink: () => reservationsService.endpoints.shrink.example.reply,
    release: () => reservationsService.endpoints.release.example.reply,
    reservations: () => ({ reservations: [] }),
  });
  await mon.serve(
    monitorService,
    {
      status: () => monitorService.endpoints.status.example.reply,
      history: () => monitorService.endpoints.history.example.reply,
      series: () => monitorService.endpoints.series.example.reply,
      uptime: () => monitorService.endpoints.uptime.example.reply,
    },
    { tokens: { host: "kronos" } },
  );
});
afterAll(async () => nats?.stop());

describe("prod.conf: connecting", () => {
  it("refuses a client without credentials, or with another principal's password", async () => {
    await expect(nats.bus("media")).rejects.toThrow(/authorization/i);
    await expect(nats.bus("media", { user: "media", password: passwords.ceo! })).rejects.toThrow(/authorization/i);
  });
});

describe("prod.conf: it-monitor", () => {
  it("creates its streams and publishes durable alerts, acknowledged by JetStream", async () => {
    const mon = await as("it-monitor");
    const a = await mon.publish(alert, alertFor("perm-durable"));
    expect(a.stream).toBe(itStream.name);
    expect(a.sequence).toBeGreaterThan(0);
    expect(a.duplicate).toBe(false);
  });

  it("publishes host metrics on core NATS to a principal in their audience", async () => {
    const mon = await as("it-monitor");
    const ceo = await as("ceo");
    const got: string[] = [];
    ceo.subscribe(hostMetrics, (d) => void got.push(d.data.host));
    await ceo.nc.flush();
    await mon.publish(hostMetrics, { ...hostMetrics.example, host: "perm-core" });
    await eventually(() => got.includes("perm-core"));
  });

  it("serves lag.it.storage.query to any principal, on that principal's private inbox", async () => {
    for (const p of ["media", "ceo", "cli"] as const) {
      const r = await (await as(p)).request(storageService.endpoints.query, {});
      expect(r.volumes[0]!.mount).toBe("/mnt/storage");
    }
  });

  it("did all of that without one permission error", () => {
    expect(deniedLines("it-monitor")).toEqual([]);
  });
});

describe("prod.conf: ceo", () => {
  it("runs its durable consumer end to end: creates it, receives an alert, acks it", async () => {
    const ceo = await as("ceo");
    const got: string[] = [];
    await ceo.consume(ceoItInbox, (d: Delivery) => {
      if (d.is(alert)) got.push(d.data.rule);
    });
    await (await as("it-monitor")).publish(alert, alertFor("perm-ceo"));
    await eventually(() => got.includes("perm-ceo"));
    // Acks are published to $JS.ACK.<stream>.<durable>.…: nothing may stay pending.
    const jsm = await ceo.jsm();
    await eventually(
      async () => {
        const info = await jsm.consumers.info(itStream.name, ceoItInbox.durable);
        return info.num_ack_pending === 0 && info.num_pending === 0;
      },
      10_000,
      "every alert acked",
    );
    expect(deniedLines("ceo")).toEqual([]);
  });

  it("parks an invalid event in its own dead letters, which the operator can read", async () => {
    const ceo = await as("ceo");
    const seen: string[] = [];
    ceo.subscribe(hostMetrics, (d) => void seen.push(d.data.host), { tokens: { host: "perm-broken" } });
    await ceo.nc.flush();
    (await as("it-monitor")).nc.publish("lag.it.host.metrics.perm-broken", "not json");
    const cli = await as("cli");
    const jsm = await cli.jsm();
    const parked = await eventually(async () => {
      const m = await jsm.streams
        .getMessage(dlqStreamOf("ceo").name, { last_by_subj: "lag.dlq.ceo.lag.it.host.metrics.perm-broken" })
        .catch(() => null);
      return m ?? undefined;
    });
    expect(parked.header?.get(Headers.dlqCode)).toBe("invalid-json");
    expect(seen).toEqual([]);
  });

  it("cannot create a consumer under another name, nor read another principal's inbox", async () => {
    const ceo = await as("ceo");
    const jsm = await ceo.jsm();
    await expect(jsm.consumers.add(itStream.name, { durable_name: "sneaky", filter_subject: "lag.it.alert.>" })).rejects.toThrow();
    const sub = ceo.nc.subscribe("_INBOX_media.>");
    await denied("ceo", "subscription", "_INBOX_media.>");
    // The server closes the refused subscription: media's replies never reach ceo.
    expect(await sub.closed).toBeInstanceOf(Error);
    await (await as("media")).request(storageService.endpoints.query, {});
    expect(sub.getProcessed()).toBe(0);
  });
});

describe("prod.conf: media", () => {
  it("cannot publish an it event: the denial is in its log and no subscriber gets it", async () => {
    const media = await as("media");
    const ceo = await as("ceo");
    const hosts: string[] = [];
    ceo.subscribe(hostMetrics, (d) => void hosts.push(d.data.host));
    await ceo.nc.flush();
    const forged: HostMetrics = { ...hostMetrics.example, host: "forged-by-media" };
    await media.publish(hostMetrics, forged);
    await denied("media", "publish", "lag.it.host.metrics.forged-by-media");
    // A marker from the real publisher, sent after the refusal, proves the subscriber was listening.
    await (await as("it-monitor")).publish(hostMetrics, { ...hostMetrics.example, host: "marker" });
    await eventually(() => hosts.includes("marker"));
    expect(hosts).not.toContain("forged-by-media");
  });

  it("cannot store a durable it event either: JetStream never sees it", async () => {
    const media = await as("media");
    const jsm = await (await as("it-monitor")).jsm();
    const before = (await jsm.streams.info(itStream.name)).state.messages;
    await expect(media.publish(alert, alertFor("forged"))).rejects.toThrow();
    expect((await jsm.streams.info(itStream.name)).state.messages).toBe(before);
  });

  it("cannot write into another principal's dead letters", async () => {
    const media = await as("media");
    const body = new TextEncoder().encode("{}");
    await expect(
      parkDeadLetter(media.js, "ceo", { subject: "lag.it.host.metrics.kronos", body, code: "invalid-data", reason: "forged" }),
    ).rejects.toThrow();
    await denied("media", "publish", "lag.dlq.ceo.lag.it.host.metrics.kronos");
    // Its own dead letters are fine.
    await media.ensureStreams();
    await parkDeadLetter(media.js, "media", { subject: "lag.it.host.metrics.kronos", body, code: "invalid-data", reason: "test" });
  });
});

describe("prod.conf: approvals", () => {
  const decision = (requestId: string): ApprovalDecision => ({ ...approvalDecided.example, requestId });

  it("it-incidents stores its own approval requests, and CEO_LAG its decisions", async () => {
    const jsm = await (await as("ceo")).jsm();
    const before = (await jsm.streams.info(approvalsStream.name)).state.messages;
    await (await as("it-incidents")).publish(approvalRequests["it-incidents"], {
      ...approvalRequests["it-incidents"].example,
      id: "req-allowed-1",
    });
    await (await as("ceo")).publish(approvalDecided, decision("req-allowed-1"));
    expect((await jsm.streams.info(approvalsStream.name)).state.messages).toBe(before + 2);
  });

  it("a decision published with any credentials but CEO_LAG's is refused by the server", async () => {
    const jsm = await (await as("ceo")).jsm();
    const before = (await jsm.streams.info(approvalsStream.name)).state.messages;
    for (const p of ["it-incidents", "it-monitor", "media"] as const) {
      await expect((await as(p)).publish(approvalDecided, decision(`forged-by-${p}`))).rejects.toThrow();
      await denied(p, "publish", approvalDecided.subject.replace("{requester}", "it-incidents"));
    }
    expect((await jsm.streams.info(approvalsStream.name)).state.messages).toBe(before);
  });

  it("nobody may ask in another requester's name: media cannot publish it-incidents' requests", async () => {
    const subject = approvalRequests["it-incidents"].subject;
    await expect(
      (await as("media")).publish(approvalRequests["it-incidents"], {
        ...approvalRequests["it-incidents"].example,
        id: "req-forged-media",
      }),
    ).rejects.toThrow();
    await denied("media", "publish", subject);
  });
});

describe("prod.conf: cli (the operator)", () => {
  it("reads every event with `lag.>`", async () => {
    const cli = await as("cli");
    const got: string[] = [];
    const sub = cli.nc.subscribe("lag.>", { callback: (_e, m) => void got.push(m.subject) });
    await cli.nc.flush();
    await (await as("it-monitor")).publish(hostMetrics, { ...hostMetrics.example, host: "seen-by-cli" });
    await eventually(() => got.includes("lag.it.host.metrics.seen-by-cli"));
    sub.unsubscribe();
  });

  it("lists services over $SRV, as `nats micro ls` does", async () => {
    const cli = await as("cli");
    const m = await cli.nc.request(`$SRV.INFO.${storageService.name}`, "", { timeout: 5_000 });
    const info = m.json<{ name: string; endpoints: { subject: string }[] }>();
    expect(info.name).toBe(storageService.name);
    expect(info.endpoints.map((e) => e.subject)).toContain("lag.it.storage.query");
  });

  it("sees every service of a connection that serves several (one discovery reply each)", async () => {
    const cli = await as("cli");
    const names: string[] = [];
    for await (const i of await new Svcm(cli.nc).client().info()) names.push(i.name);
    expect(names.sort()).toEqual([monitorService.name, reservationsService.name, storageService.name].sort());
  });

  it("reads the dead-letter stream through an ordered consumer, as `lag dlq` does", async () => {
    const cli = await as("cli");
    const c = await cli.js.consumers.get(dlqStreamOf("ceo").name);
    const m = await c.next({ expires: 5_000 });
    expect(m?.subject.startsWith("lag.dlq.")).toBe(true);
    expect(m?.headers?.get(Headers.dlqCode)).toBeTruthy();
  });

  it("cannot publish an event, nor delete a stream", async () => {
    const cli = await as("cli");
    await cli.publish(hostMetrics, { ...hostMetrics.example, host: "forged-by-cli" });
    await denied("cli", "publish", "lag.it.host.metrics.forged-by-cli");
    await expect(cli.publish(alert, alertFor("forged-by-cli"))).rejects.toThrow();
    await expect((await cli.jsm()).streams.delete(itStream.name)).rejects.toThrow();
  });

  it("may clear dead letters (`lag dlq rm`, `lag dlq purge`), and nothing else of any stream", async () => {
    const jsm = await (await as("cli")).jsm();
    await jsm.streams.purge(dlqStreamOf("ceo").name, { filter: "lag.dlq.ceo.nothing.>" });
    await expect(jsm.streams.deleteMessage(dlqStreamOf("ceo").name, 1_000_000, false)).rejects.toThrow(/stream store EOF|no message found/);
    await expect(jsm.streams.purge(itStream.name)).rejects.toThrow();
    await expect(jsm.streams.deleteMessage(itStream.name, 1, false)).rejects.toThrow();
  });
});

describe("prod.conf: dashboard (the status page)", () => {
  it("reads an incident's whole chain from the durable streams, as `lag trace` does, and changes nothing", async () => {
    const page = await as("dashboard");
    // The monitor's alerts above are in LAG_IT: a chain by one of their ids holds it.
    const first = await (await page.js.consumers.get(itStream.name)).next({ expires: 5_000 });
    expect(first).not.toBeNull();
    const id = first!.json<{ id: string }>().id;
    const chain = await readChain(page, id);
    expect(chain?.events.map((e) => e.id)).toContain(id);
    await expect((await page.jsm()).streams.purge(itStream.name)).rejects.toThrow();
    await expect(page.publish(alert, alertFor("forged-by-dashboard"))).rejects.toThrow();
  });
});

/**
 * The JetStream API, least privilege: only a stream's owner (by the contracts) may create or change
 * it, only a consumer's owner may create, change or pull from it. Each case below was possible
 * before and is refused now, with the principal's real production credentials.
 */
describe("prod.conf: streams and consumers only their owner may change", () => {
  const limits = async () => (await (await (await as("it-monitor")).jsm()).streams.info(itStream.name)).config;

  it("ceo cannot cut LAG_IT's limits nor cap it per subject: LAG_IT stays as its contract says", async () => {
    const jsm = await (await as("ceo")).jsm();
    const before = await limits();
    await expect(jsm.streams.update(itStream.name, { ...before, max_msgs: 2 })).rejects.toThrow();
    await expect(jsm.streams.update(itStream.name, { ...before, max_msgs_per_subject: 1 })).rejects.toThrow();
    expect(await limits()).toEqual(before);
  });

  it("media cannot truncate, purge, seal or delete another principal's dead letters", async () => {
    const jsm = await (await as("media")).jsm();
    for (const p of ["it-monitor", "ceo"] as const) {
      const name = dlqStreamOf(p).name;
      const cfg = (await (await (await as(p)).jsm()).streams.info(name)).config;
      await expect(jsm.streams.update(name, { ...cfg, max_msgs: 1 })).rejects.toThrow();
      await expect(jsm.streams.update(name, { ...cfg, sealed: true } as typeof cfg)).rejects.toThrow();
      await expect(jsm.streams.purge(name)).rejects.toThrow();
      await expect(jsm.streams.delete(name)).rejects.toThrow();
      const after = (await (await (await as(p)).jsm()).streams.info(name)).config;
      expect(after.sealed).toBe(false);
      expect(after.max_msgs).toBe(-1);
    }
  });

  it("it-monitor cannot narrow another principal's dead-letter stream, so their dead letters keep a place", async () => {
    const mon = await (await as("it-monitor")).jsm();
    const name = dlqStreamOf("ceo").name;
    const cfg = (await (await (await as("ceo")).jsm()).streams.info(name)).config;
    await expect(mon.streams.update(name, { ...cfg, subjects: ["lag.dlq.ceo.nothing.>"] })).rejects.toThrow();
    expect((await (await (await as("ceo")).jsm()).streams.info(name)).config.subjects).toEqual(["lag.dlq.ceo.>"]);
  });

  it("cli cannot redefine CEO_LAG's durable consumer, nor pull from it; it may still read its info", async () => {
    const cli = await as("cli");
    const jsm = await cli.jsm();
    const ceoJsm = await (await as("ceo")).jsm();
    const before = await ceoJsm.consumers.info(itStream.name, ceoItInbox.durable);
    await expect(jsm.consumers.update(itStream.name, ceoItInbox.durable, { filter_subjects: ["lag.it.nothing.>"] })).rejects.toThrow();
    await expect(
      jsm.consumers.add(itStream.name, { durable_name: ceoItInbox.durable, ack_policy: AckPolicy.None, filter_subject: "lag.it.>" }),
    ).rejects.toThrow();
    expect((await jsm.consumers.info(itStream.name, ceoItInbox.durable)).config.durable_name).toBe(ceoItInbox.durable);
    // Pulling is refused by the server: nothing is delivered to cli, nothing is used up.
    await (await as("it-monitor")).publish(alert, alertFor("perm-not-for-cli"));
    const c = await cli.js.consumers.get(itStream.name, ceoItInbox.durable);
    const m = await c.next({ expires: 2_000 }).catch(() => null);
    expect(m).toBeNull();
    await denied("cli", "publish", `$JS.API.CONSUMER.MSG.NEXT.${itStream.name}.${ceoItInbox.durable}`);
    const after = await ceoJsm.consumers.info(itStream.name, ceoItInbox.durable);
    expect(after.config.filter_subjects ?? [after.config.filter_subject]).toEqual(
      before.config.filter_subjects ?? [before.config.filter_subject],
    );
    expect(after.num_redelivered).toBe(before.num_redelivered);
  });

  it("cli may read stream and consumer info and a message by sequence, as `lag dlq` and `nats stream view` do", async () => {
    const jsm = await (await as("cli")).jsm();
    const info = await jsm.streams.info(itStream.name);
    expect(info.state.messages).toBeGreaterThan(0);
    expect((await jsm.streams.getMessage(itStream.name, { seq: info.state.first_seq }))?.subject).toMatch(/^lag\.it\./);
    expect((await jsm.consumers.info(itStream.name, ceoItInbox.durable)).name).toBe(ceoItInbox.durable);
  });

  it("puts a stream or consumer that someone changed back to its contract at its owner's next start, saying what differed", async () => {
    const admin = await nats.bus("cli", { user: ADMIN_USER, password: passwords[ADMIN_USER]!, logger: memoryLogger("admin") });
    const jsm = await admin.jsm();
    const cfg = (await jsm.streams.info(itStream.name)).config;
    await jsm.streams.update(itStream.name, { ...cfg, max_msgs_per_subject: 2 });
    await jsm.consumers.update(itStream.name, ceoItInbox.durable, { max_ack_pending: 3 });
    const monLog = memoryLogger("it-monitor");
    const mon = await nats.bus("it-monitor", { user: "it-monitor", password: passwords["it-monitor"]!, logger: monLog });
    await mon.ensureStreams();
    expect(monLog.lines.map((l) => l.msg)).toContainEqual(
      expect.stringMatching(/^stream LAG_IT differed from its contract; put back \(max_msgs_per_subject: 2 → -1\)$/),
    );
    expect((await jsm.streams.info(itStream.name)).config.max_msgs_per_subject).toBe(-1);
    const ceoLog = memoryLogger("ceo");
    const ceo = await nats.bus("ceo", { user: "ceo", password: passwords.ceo!, logger: ceoLog });
    await ceo.consume(ceoItInbox, () => undefined);
    expect(ceoLog.lines.map((l) => l.msg)).toContainEqual(
      expect.stringMatching(/^consumer ceo-it-inbox differed from its contract; put back \(max_ack_pending: 3 → 1000\)$/),
    );
    expect((await jsm.consumers.info(itStream.name, ceoItInbox.durable)).config.max_ack_pending).toBe(1000);
    await ceo.drain();
  });
});

describe("prod.conf: admin", () => {
  it("may maintain streams (here: read and purge nothing) but publish no event", async () => {
    const logger = memoryLogger("admin");
    // The Bus needs a principal for its inbox prefix; admin's `>` subscribe allows any.
    const admin = await nats.bus("cli", { user: ADMIN_USER, password: passwords[ADMIN_USER]!, logger });
    const jsm = await admin.jsm();
    expect((await jsm.streams.info(itStream.name)).config.name).toBe(itStream.name);
    await jsm.streams.purge(dlqStreamOf("ceo").name, { filter: "lag.dlq.ceo.nothing.>" });
    admin.nc.publish("lag.it.host.metrics.kronos", "{}");
    await logger.waitFor((l) => l.msg === "permission denied: publish on lag.it.host.metrics.kronos", 5_000);
  });
});

describe("generated cluster configs", () => {
  it.each(CLUSTER_NODES.map((n) => [n]))("node-%i.conf is accepted by nats-server", async (n) => {
    const dir = mkdtempSync(join(tmpdir(), "lag-cluster-"));
    try {
      for (const f of ["auth.conf", `node-${n}.conf`]) copyFileSync(join(root, CLUSTER_DIR, f), join(dir, f));
      const binary = nats.server.child.spawnfile;
      const { stdout, stderr } = await promisify(execFile)(binary, ["-t", "-c", join(dir, `node-${n}.conf`)], {
        env: { ...process.env, ...env, LAG_JS_DIR: join(dir, "js") },
      });
      expect(`${stdout}${stderr}`).toMatch(/is valid/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("generated cluster configs, running", () => {
  it("form a 3-node JetStream cluster with the same permissions: R3 stream, durable consumer on another node", async () => {
    const cluster = await startTestCluster();
    try {
      await cluster.provisionStreams();
      const mon = await cluster.bus("it-monitor");
      const info = await (await mon.jsm()).streams.info(itStream.name);
      expect(info.config.num_replicas).toBe(3);
      expect(info.cluster?.replicas ?? []).toHaveLength(2);
      await mon.publish(alert, alertFor("replicated"));
      const ceo = await cluster.bus("ceo");
      await ceo.ensureStreams();
      const got: string[] = [];
      await ceo.consume(ceoItInbox, (d: Delivery) => {
        if (d.is(alert)) got.push(d.data.rule);
      });
      await eventually(() => got.includes("replicated"), 15_000);
    } finally {
      await cluster.stop();
    }
  }, 120_000);
});
