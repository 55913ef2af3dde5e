import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleParser, type ParsedMail } from "mailparser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Bus } from "@lag/bus";
import { ceoWorker } from "@lag/ceo-lag";
import {
  approvalRequests,
  backupAlert,
  type BackupEvent,
  backupEvent,
  backupService,
  approvalsService,
  dailyReport,
  incidentsService,
  mailIn,
  mailOut,
  mailService,
  notification,
  type DailyReport,
  type MailIn,
  type MailOut,
  type Notification,
} from "@lag/contracts";
import { backupWorker, incidentsWorker, mailWorker } from "@lag/it-lag";
import { eventually, ManualClock, memoryLogger, startMailServer, startTestNats, type TestMailServer, type TestNats } from "@lag/testing";
import { startWorker, type RunningWorker } from "@lag/worker";
import { cleanEnv, jsonOf, lag } from "../packages/cli/test/run-lag.fixture.ts";
import { renderInChromium } from "./mail.fixture.ts";

/**
 * The mail worker against real servers: NATS, dovecot (IMAP + LMTP) behind an SMTP door, CEO_LAG
 * for approvals. Mails are read back over IMAP and their content checked.
 */
let nats: TestNats;
let server: TestMailServer;
let incidents: Bus;
let cli: Bus;
let dir: string;
let config: string;
let mail: RunningWorker | undefined;
let ceo: RunningWorker | undefined;
const mailLog = memoryLogger("it-mail");
const received: MailIn[] = [];
const out: MailOut[] = [];
const samples = join(import.meta.dirname, "../agents/it-lag/test/mail-samples");

const NAS_CLASSIFIERS = `
      - { name: nas-ok, kind: backup-report, from: [nas@lag.test], subject: 'Backup task (?<job>\\S+) has completed', set: { status: success } }
      - { name: nas-failed, kind: backup-report, from: [nas@lag.test], subject: 'Backup task (?<job>\\S+) has failed', set: { status: failure } }`;

function writeConfig(after: "flag" | "move" = "flag"): void {
  writeFileSync(
    config,
    `dataDir: ${dir}
it:
  monitor: { host: kronos }
  incidents: { groupWait: 1s, resolveAfter: 2s, hostSilentAfter: 24h, runbooks: [] }
  backup:
    repositories:
      local: { url: ${dir}/restic, password: { file: ${dir}/restic-password } }
    plans:
      - { name: photos, paths: [${dir}/photos], repositories: [local] }
  mail:
    from: "LAG <lag@lag.test>"
    to: [${server.address}]
    smtp: { host: 127.0.0.1, port: ${server.smtpPort}, security: none, user: ${server.user}, password: { file: ${server.passwordFile} }, timeout: 5s }
    imap:
      host: 127.0.0.1
      port: ${server.imapPort}
      security: none
      user: ${server.user}
      password: { file: ${server.passwordFile} }
      authservId: mail.lag.test
      after: ${after}
      pollEvery: 2s
      reconnectMin: 200ms
      reconnectMax: 1s
    retryMin: 300ms
    retryMax: 1s
    alerts: { repeatInterval: 1h }
    classifiers:${NAS_CLASSIFIERS}
ceo:
  approvals: { default: ask, expiryCheck: 1s }
`,
  );
}

const startMail = async (clock?: ManualClock) => {
  mail = await startWorker(mailWorker, {
    env: { LAG_CONFIG: config, NATS_URL: nats.url },
    logger: mailLog.logger,
    ...(clock ? { clock } : {}),
  });
};

/** Every mail in the mailbox, parsed. */
async function mailbox(): Promise<{ uid: number; flags: Set<string>; mail: ParsedMail }[]> {
  const c = server.client();
  await c.connect();
  const lock = await c.getMailboxLock("INBOX");
  const got: { uid: number; flags: Set<string>; source: Buffer }[] = [];
  try {
    if ((c.mailbox as { exists: number }).exists > 0)
      for await (const m of c.fetch("1:*", { uid: true, flags: true, source: true }))
        got.push({ uid: m.uid, flags: m.flags ?? new Set(), source: m.source! });
  } finally {
    lock.release();
    await c.logout();
  }
  return Promise.all(got.map(async (g) => ({ uid: g.uid, flags: g.flags, mail: await simpleParser(g.source) })));
}

const withSubject = async (s: string | RegExp) =>
  (await mailbox()).filter((m) => (typeof s === "string" ? m.mail.subject === s : s.test(m.mail.subject ?? "")));

function note(over: Partial<Notification> & { severity?: Notification["incident"]["severity"]; incident?: string } = {}): Notification {
  const { severity = "critical", incident = `inc-20261201-061200-storage-${randomUUID().slice(0, 4)}`, ...rest } = over;
  return {
    id: `ntf-${randomUUID().slice(0, 8)}`,
    kind: "opened",
    incident: {
      id: incident,
      title: "disk /mnt/storage is 97% full",
      host: "kronos",
      group: { host: "kronos", mount: "/mnt/storage" },
      severity,
      state: "analysing",
      openedAt: new Date().toISOString(),
      firing: 1,
      alertCount: 1,
      rules: ["disk-critical"],
    },
    title: `[${severity}] kronos: disk /mnt/storage is 97% full`,
    text: "disk /mnt/storage is 97% full since 06:12",
    needsPerson: true,
    at: new Date().toISOString(),
    ...rest,
  };
}

/** A reply as the receiving server would file it: its Authentication-Results on top (or none). */
function reply(o: { from: string; body: string; auth?: string; inReplyTo?: string }): string {
  const domain = o.from.split("@")[1];
  return [
    ...(o.auth !== "none"
      ? [`Authentication-Results: mail.lag.test; ${o.auth ?? `dkim=pass header.d=${domain}; dmarc=pass header.from=${domain}`}`]
      : []),
    `From: <${o.from}>`,
    `To: ${server.address}`,
    "Subject: Re: [LAG] Approve? prune docker on kronos",
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomUUID()}@${domain}>`,
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`] : []),
    "Content-Type: text/plain; charset=utf-8",
    "",
    o.body,
    "",
  ].join("\r\n");
}

const lastIn = (pred: (e: MailIn) => boolean) =>
  eventually(() => received.find(pred), 20_000, "a mail read into an event").then(() => received.find(pred)!);

beforeAll(async () => {
  nats = await startTestNats();
  await nats.provisionStreams();
  server = await startMailServer();
  dir = mkdtempSync(join(tmpdir(), "lag-mail-"));
  config = join(dir, "lag.yaml");
  mkdirSync(join(dir, "photos"));
  writeFileSync(join(dir, "photos", "a.jpg"), "not really a photo");
  writeFileSync(join(dir, "restic-password"), "digest-test\n");
  writeConfig();
  incidents = await nats.bus("it-incidents");
  cli = await nats.bus("cli");
  cli.subscribe(mailIn, (d) => void received.push(d.data));
  cli.subscribe(mailOut, (d) => void out.push(d.data));
  await cli.nc.flush();
  ceo = await startWorker(ceoWorker, { env: { LAG_CONFIG: config, NATS_URL: nats.url }, logger: memoryLogger("ceo").logger });
  await startMail();
}, 90_000);

afterAll(async () => {
  await mail?.shutdown("test");
  await ceo?.shutdown("test");
  await server?.stop();
  await nats?.stop();
});

describe("alerts by mail", () => {
  it("a critical incident is in the mailbox within seconds; a medium one waits for the digest; a repeat within the interval is not mailed", async () => {
    const n = note();
    await incidents.publish(notification, n);
    const [got] = await eventually(
      async () => {
        const m = await withSubject(n.title);
        return m.length > 0 ? m : undefined;
      },
      15_000,
      "the critical alert in the mailbox",
    );
    const m = got!.mail;
    expect(m.from?.value[0]?.address).toBe("lag@lag.test");
    expect(m.messageId).toBe(`<alert-${n.id}@lag.kronos>`);
    expect(m.text).toContain(n.incident.id);
    expect(m.text).toContain(`lag incidents ack ${n.incident.id}`);
    expect(m.text).toContain("A person must act");
    expect(m.html).toContain("disk /mnt/storage is 97% full");
    expect(m.html).not.toMatch(/<img|<link|src=/i);

    const medium = note({ severity: "medium" });
    const repeat = { ...note(), incident: n.incident, kind: "repeat" as const, id: `ntf-${randomUUID().slice(0, 8)}` };
    await incidents.publish(notification, medium);
    await incidents.publish(notification, repeat);
    // Both were handled (the log says so) and neither is queued.
    await mailLog.waitFor((l) => l.msg === "notification throttled" && l.notification === repeat.id, 10_000);
    await mailLog.waitFor((l) => l.msg === "notification digest" && l.notification === medium.id, 10_000);
    const q = await cli.request(mailService.endpoints.queue, { limit: 100 });
    expect(q.mails.map((x) => x.id)).toContain(`alert-${n.id}`);
    expect(q.mails.map((x) => x.id)).not.toContain(`alert-${medium.id}`);
    expect(q.mails.map((x) => x.id)).not.toContain(`alert-${repeat.id}`);
    // Delivered again (a redelivery), it is still one mail.
    await incidents.publish(notification, n, { id: randomUUID() });
    await new Promise((r) => setTimeout(r, 500));
    expect(await withSubject(n.title)).toHaveLength(1);

    // Its all-clear is mailed (the interval does not hold it back), in the same conversation.
    const resolved: Notification = {
      ...n,
      id: `ntf-${randomUUID().slice(0, 8)}`,
      kind: "resolved",
      incident: { ...n.incident, state: "resolved" },
    };
    await incidents.publish(notification, resolved);
    const clearOf = async () =>
      (await withSubject(`[resolved] kronos: ${n.incident.title}`)).find((x) => x.mail.messageId === `<alert-${resolved.id}@lag.kronos>`);
    await eventually(async () => (await clearOf()) !== undefined, 15_000, "the all-clear");
    expect((await clearOf())!.mail.inReplyTo).toBe(`<alert-${n.id}@lag.kronos>`);
  });

  it("with the SMTP server down the alert waits in the queue, and is delivered once it is back, once", async () => {
    await server.stopSmtp();
    const n = note({ title: "[critical] kronos: docker is down" });
    await incidents.publish(notification, n);
    await eventually(
      async () => {
        const q = await cli.request(mailService.endpoints.queue, { state: "queued", limit: 10 });
        const row = q.mails.find((x) => x.id === `alert-${n.id}`);
        return row && row.attempts >= 2 && row.lastError?.includes("ECONNREFUSED");
      },
      15_000,
      "two failed attempts",
    );
    // Restarted meanwhile, the worker still has it.
    await mail!.shutdown("test");
    await startMail();
    await server.startSmtp();
    await eventually(async () => (await withSubject(n.title)).length === 1, 15_000, "the alert delivered after the outage");
    const sent = await eventually(() => out.find((o) => o.id === `alert-${n.id}`), 10_000, "its mail.out event").then(
      () => out.find((o) => o.id === `alert-${n.id}`)!,
    );
    expect(sent.status).toBe("sent");
    expect(sent.attempts).toBeGreaterThanOrEqual(3);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await withSubject(n.title)).toHaveLength(1);
  });

  it("through the whole chain: a failed backup's alert becomes an incident at it-incidents, and a mail at once although it is not critical", async () => {
    const inc = await startWorker(incidentsWorker, {
      env: { LAG_CONFIG: config, NATS_URL: nats.url },
      logger: memoryLogger("it-incidents").logger,
    });
    try {
      const backup = await nats.bus("it-backup");
      await backup.publish(backupAlert, {
        ...backupAlert.example,
        fingerprint: "backup-failed/kronos/plan=photos,repository=nas",
        summary: "backup photos to nas failed: the server did not answer",
        labels: { plan: "photos", repository: "nas" },
        startsAt: new Date().toISOString(),
      });
      const [m] = await eventually(
        async () => {
          const got = await withSubject("[high] kronos: backup photos to nas failed: the server did not answer");
          return got.length > 0 ? got : undefined;
        },
        20_000,
        "the failed backup's mail",
      );
      expect(m!.mail.text).toContain("backup-failed");
      expect(m!.mail.text).toMatch(/incident: inc-\d{8}-\d{6}-photos-/);
      expect(m!.mail.text).toContain("reply ACK (and a note) to acknowledge it");
      const incident = m!.mail.text!.match(/incident: (inc-\S+)/)![1]!;

      // Acknowledged by replying ACK; a stranger's ACK does nothing.
      const ackOf = (from: string) => lastIn((e) => e.kind === "ack-reply" && e.from === from);
      await server.deliver(reply({ from: "mallory@evil.example", body: "ACK", inReplyTo: m!.mail.messageId! }));
      expect(await ackOf("mallory@evil.example")).toMatchObject({
        outcome: "rejected",
        incident,
        reason: expect.stringMatching(/does not get the alerts/),
      });
      await server.deliver(
        reply({ from: server.address, body: "ack: looking at the NAS\n\nOn Tue, LAG wrote:\n> …", inReplyTo: m!.mail.messageId! }),
      );
      expect(await ackOf(server.address)).toMatchObject({ outcome: "acknowledged", incident });
      const shown = await cli.request(incidentsService.endpoints.show, { id: incident });
      expect(shown.acknowledged).toMatchObject({ by: server.address, note: "looking at the NAS" });
    } finally {
      await inc.shutdown("test");
    }
  });

  it("lag mail test sends a test mail through the same door", async () => {
    const r = await cli.request(mailService.endpoints.test, {});
    expect(r.status).toBe("sent");
    await eventually(async () => (await withSubject("[LAG] test mail from kronos")).length === 1, 10_000, "the test mail");
  });
});

describe("the mailbox watcher", () => {
  it("turns NoIP and registrar mails into events, records strangers unclassified, and flags what it read", async () => {
    for (const f of ["noip-expiring.eml", "godaddy-renewal.eml", "stranger.eml"]) await server.deliver(readFileSync(join(samples, f)));
    const noip = await lastIn((e) => e.kind === "noip-confirm");
    expect(noip).toMatchObject({ hostname: "lagrieta.ddns.net", deadline: "2026-11-30T06:12:00.000Z", authenticated: true });
    expect(await lastIn((e) => e.kind === "domain-expiry")).toMatchObject({ domain: "lagrieta.es", expiresAt: "2026-12-15T00:00:00.000Z" });
    expect(await lastIn((e) => e.kind === "unclassified" && e.from === "win@prizes.example")).toMatchObject({
      reason: expect.stringMatching(/not trusted/),
    });
    // The alerts LAG mailed to this same mailbox are recorded as its own.
    expect(received.find((e) => e.from === "lag@lag.test")).toMatchObject({
      kind: "unclassified",
      reason: "a mail LAG sent (it.mail.from)",
    });
    await eventually(
      async () => {
        const [m] = await withSubject("ACTION REQUIRED: lagrieta.ddns.net is Expiring Soon");
        return m?.flags.has("$LagProcessed") && m.flags.has("\\Seen");
      },
      10_000,
      "the NoIP mail flagged",
    );
  });

  it("a huge mail and a malformed one are recorded unclassified, and the watcher goes on", async () => {
    const huge = [
      "From: No-IP <no-reply@noip.com>",
      "Subject: a huge one",
      "Message-ID: <huge-1@noip.com>",
      "",
      "x".repeat(6 * 1024 ** 2),
      "",
    ].join("\r\n");
    await server.deliver(huge);
    await server.deliver(Buffer.concat([Buffer.from("\u0000\u00ff garbage\r\n"), Buffer.alloc(2000, 0xfe), Buffer.from("\r\n")]));
    await server.deliver(readFileSync(join(samples, "nas-backup-ok.eml")));
    expect(await lastIn((e) => e.kind === "unclassified" && e.subject === "a huge one")).toMatchObject({
      reason: expect.stringMatching(/too large/),
    });
    // The one after them is read as usual.
    expect(await lastIn((e) => e.kind === "backup-report" && e.status === "success")).toMatchObject({ job: "kronos-photos" });
    expect(received.some((e) => e.kind === "unclassified" && e.from === "" && e.subject === "")).toBe(true);
  });

  it("an approval reply decides its request through CEO_LAG; a stranger, a failed authentication, a wrong or reused code do not", async () => {
    const requester = await nats.bus("it-incidents");
    const id = randomUUID();
    const now = Date.now();
    await requester.publish(approvalRequests["it-incidents"], {
      id,
      requester: "it-incidents",
      action: { kind: "prune-docker", params: { host: "kronos" } },
      reason: "disk /mnt/storage is 97% full; pruning Docker frees space",
      risk: "medium",
      requestedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 3_600_000).toISOString(),
      links: {},
      evidence: { summary: "prune docker on kronos", observed: ["/mnt/storage 97% used"] },
      labels: {},
    });
    const [asked] = await eventually(
      async () => {
        const m = await withSubject("[LAG] Approve? prune docker on kronos");
        return m.length > 0 ? m : undefined;
      },
      20_000,
      "the approval mail",
    );
    const code = asked!.mail.text!.match(/Your code: ([A-Z0-9]{4}-[A-Z0-9]{4})/)![1]!;
    const inReplyTo = asked!.mail.messageId!;
    const state = async () => (await cli.request(approvalsService.endpoints.show, { id })).state;
    const outcome = (from: string, n: number) =>
      lastIn((e) => e.kind === "approval-reply" && e.from === from && received.filter((x) => x.kind === "approval-reply").indexOf(e) === n);

    await server.deliver(reply({ from: "mallory@evil.example", body: `APPROVE ${code}`, inReplyTo }));
    expect(await outcome("mallory@evil.example", 0)).toMatchObject({
      outcome: "rejected",
      reason: expect.stringMatching(/not an approver/),
    });
    await server.deliver(reply({ from: server.address, body: `APPROVE ${code}`, auth: "none", inReplyTo }));
    expect(await outcome(server.address, 1)).toMatchObject({ outcome: "rejected", reason: expect.stringMatching(/not authenticated/) });
    await server.deliver(reply({ from: server.address, body: "APPROVE ZZZZ-ZZZZ", inReplyTo }));
    expect(await outcome(server.address, 2)).toMatchObject({ outcome: "rejected", reason: "unknown code" });
    await server.deliver(reply({ from: server.address, body: `I am not sure.\n\n> APPROVE ${code}`, inReplyTo }));
    expect(await outcome(server.address, 3)).toMatchObject({ outcome: "rejected", reason: expect.stringMatching(/no APPROVE or DENY/) });
    expect(await state()).toBe("pending");

    await server.deliver(
      reply({ from: server.address, body: `approve ${code.toLowerCase()}\n\nOn Tue, LAG wrote:\n> To decide by mail …`, inReplyTo }),
    );
    expect(await outcome(server.address, 4)).toMatchObject({ outcome: "decided", requestId: id, decision: "approve" });
    const record = await cli.request(approvalsService.endpoints.show, { id });
    expect(record.state).toBe("approved");
    expect(record.decision).toMatchObject({ channel: "mail", by: { kind: "person", name: server.address } });

    await server.deliver(reply({ from: server.address, body: `DENY ${code}`, inReplyTo }));
    expect(await outcome(server.address, 5)).toMatchObject({ outcome: "rejected", reason: "the code was used already" });
    expect(await state()).toBe("approved");
  });

  it("restarted, it reads nothing twice; the IMAP server restarted, it reconnects and catches up", async () => {
    // Our own mails land in this mailbox too (and are read, unclassified): let it be read to its end.
    for (let n = -1; n !== received.length; ) {
      n = received.length;
      await new Promise((r) => setTimeout(r, 1500));
    }
    const before = received.length;
    const connects = () => mailLog.lines.filter((l) => l.msg === "IMAP watcher connected").length;
    const connected = connects();
    await mail!.shutdown("test");
    await startMail();
    await eventually(() => connects() > connected, 10_000, "the watcher connected again");
    await new Promise((r) => setTimeout(r, 2500));
    expect(received.length).toBe(before);

    // The mailbox rebuilt under a new UIDVALIDITY: every mail has a new UID, and none is read again.
    await mail!.shutdown("test");
    await server.renumber();
    await startMail();
    await mailLog.waitFor((l) => l.msg.startsWith("the mailbox's UIDVALIDITY changed"), 10_000);
    await eventually(
      () => mailLog.lines.some((l) => l.msg === "mail read already (same Message-ID): skipped"),
      10_000,
      "mails skipped by Message-ID",
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect(received.length).toBe(before);

    server.stopImap();
    await new Promise((r) => setTimeout(r, 500));
    await server.startImap();
    await server.deliver(readFileSync(join(samples, "nas-backup-failed.eml")));
    expect(await lastIn((e) => e.kind === "backup-report" && e.status === "failure")).toMatchObject({
      job: "kronos-photos",
      status: "failure",
    });
    await mailLog.waitFor((l) => l.msg === "IMAP watcher connected again; catching up", 5_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(received.length).toBe(before + 1);
  });
});

describe("moving what was read", () => {
  it("with after: move, a read mail leaves INBOX for LAG/Processed (created when missing)", async () => {
    writeConfig("move");
    await mail!.shutdown("test");
    await startMail();
    await server.deliver(
      readFileSync(join(samples, "nas-backup-ok.eml")).toString().replace("<nas-hb-1124@lag.test>", "<nas-hb-move@lag.test>"),
    );
    await lastIn((e) => e.messageId === "<nas-hb-move@lag.test>");
    const c = server.client();
    await c.connect();
    try {
      await eventually(
        async () => {
          const inInbox = (await withSubject("[DiskStation] Backup task kronos-photos has completed")).some(
            (m) => m.mail.messageId === "<nas-hb-move@lag.test>",
          );
          const status = await c.status("LAG.Processed", { messages: true }).catch(() => undefined);
          return !inInbox && status !== undefined && status !== false && (status.messages ?? 0) >= 1;
        },
        10_000,
        "the mail moved to LAG/Processed",
      );
    } finally {
      await c.logout();
    }
  });
});

describe("the digest", () => {
  it("shows each backup plan with its RPO colour, as it-backup reports it", async () => {
    const backup = await startWorker(backupWorker, {
      env: { LAG_CONFIG: config, NATS_URL: nats.url },
      logger: memoryLogger("it-backup").logger,
    });
    try {
      const runs: BackupEvent[] = [];
      cli.subscribe(backupEvent, (d) => void runs.push(d.data));
      await cli.nc.flush();
      await cli.request(backupService.endpoints.init, { plan: "photos" });
      const { runId } = await cli.request(backupService.endpoints.run, { plan: "photos" });
      await eventually(() => runs.some((e) => e.kind === "finished" && e.runId === runId), 60_000, "the backup finished");
      expect(runs.find((e) => e.kind === "finished" && e.runId === runId)).toMatchObject({ status: "ok" });
      const d = await cli.request(mailService.endpoints.digest, { kind: "daily" });
      expect(d.text).toMatch(/^ {2}photos: green — last good 1 min ago/m);
      expect(d.text).not.toContain("it-backup did not answer");
      expect(d.html).toContain(">green</span> last good 1 min ago");
    } finally {
      await backup.shutdown("test");
    }
  }, 90_000);

  it("arrives at the configured time with the day's figures, in HTML and text, and renders in a browser", async () => {
    await mail!.shutdown("test");
    const clock = new ManualClock("2026-12-01T06:00:00Z");
    await startMail(clock);
    const report = (day: string, usedPct: number, open: number): DailyReport => ({
      day,
      generatedAt: `${day}T06:00:00.000Z`,
      health: [{ host: "kronos", health: "warning", summary: "disk /mnt/storage 91% used" }],
      incidents: {
        opened: 2,
        resolved: 1,
        open: Array.from({ length: open }, (_, k) => ({
          id: `inc-20261201-0${k}1200-storage`,
          title: "disk /mnt/storage is 91% full",
          host: "kronos",
          severity: "high" as const,
          state: "analysing" as const,
          openedAt: "2026-12-01T05:12:00.000Z",
        })),
      },
      measures: {
        since: "2026-11-24T06:00:00.000Z",
        bySeverity: [{ severity: "high", incidents: 2, mttaSec: 300, mttrSec: 1800 }],
        perWeek: [],
        patterns: [],
      },
      approvals: { pending: 0, items: [] },
      storage: [{ host: "kronos", mount: "/mnt/storage", role: "storage", usedPct, freeBytes: 360e9 }],
      sections: {
        subscriptions: { title: "subscriptions due", lines: ["lagrieta.es renews on 2026-12-15 (GoDaddy, 14.99 EUR)"] },
        uptime: {
          title: "Uptime (24 h, 7 d, 30 d)",
          lines: ["kronos/immich-web: 24 h 99.826 % (3 min down), 7 d 99.975 %, 30 d 99.99 %; p95 41.3 ms"],
        },
      },
    });
    await incidents.publish(dailyReport, report("2026-11-24", 85, 0));
    await incidents.publish(dailyReport, report("2026-12-01", 91, 1));
    await mailLog.waitFor((l) => l.msg === "mail ready", 5_000);
    await new Promise((r) => setTimeout(r, 1000));
    // 07:30 in Madrid is the default time.
    await clock.advanceTo("2026-12-01T06:29:00Z");
    expect(await withSubject(/^kronos, Tue 1 Dec/)).toHaveLength(0);
    await clock.advanceTo("2026-12-01T06:30:30Z");
    const [d] = await eventually(
      async () => {
        const m = await withSubject(/^kronos, Tue 1 Dec/);
        return m.length > 0 ? m : undefined;
      },
      15_000,
      "the digest in the mailbox",
    );
    const m = d!.mail;
    expect(m.subject).toBe("kronos, Tue 1 Dec: 1 incident open, 1 volume over 85%");
    expect(m.text).toContain("opened 2, resolved 1 in the last day; open now 1");
    expect(m.text).toContain("kronos /mnt/storage (storage): 91.0% used, 335.3 GiB free, +6.0 pts in 7 days, full in ~11 days");
    expect(m.text).toContain("lagrieta.es renews on 2026-12-15");
    expect(m.text).toContain("UPTIME (24 H, 7 D, 30 D)");
    expect(m.text).toContain("kronos/immich-web: 24 h 99.826 % (3 min down)");
    expect(m.text).toMatch(/backups: it-backup did not answer/);
    expect(m.html).toBeTruthy();
    const shot = await renderInChromium(m.html as string, join(dir, "digest.png"));
    expect(shot.requests).toEqual([]);
    expect(shot.width).toBeLessThanOrEqual(640);
    expect(shot.text).toContain("+6.0 pts in 7 days");
    expect(shot.png.subarray(1, 4).toString()).toBe("PNG");

    // The same digest, by `lag mail digest --preview`; the queue shows it sent, once.
    const html = join(dir, "preview.html");
    const r = await lag(["mail", "digest", "--preview", "--html", html], cleanEnv({ NATS_URL: nats.url }));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Subject: kronos, Tue 1 Dec: 1 incident open, 1 volume over 85%");
    expect(r.stdout).toContain("+6.0 pts in 7 days");
    expect(readFileSync(html, "utf8")).toBe(m.html);
    const q = await lag(["mail", "queue", "--json"], cleanEnv({ NATS_URL: nats.url }));
    const digests = jsonOf<{ mails: { id: string; state: string }[] }>(q).mails.filter((x) => x.id.startsWith("digest-"));
    expect(digests).toEqual([expect.objectContaining({ id: "digest-2026-12-01", state: "sent" })]);
  }, 60_000);

  it("no password appears in any log line", () => {
    const text = mailLog.text();
    expect(text).toContain("mail sent");
    expect(text).not.toContain(server.password);
  });
});
