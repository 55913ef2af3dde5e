import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Bus } from "@lag/bus";
import { MailIn } from "@lag/contracts";
import { openStore } from "@lag/store";
import { ManualClock, memoryLogger } from "@lag/testing";
import { MailAcks } from "../acks.ts";
import { MailApprovals } from "../approvals.ts";
import { MailConfig } from "../config.ts";
import { MailQueue } from "../outgoing/queue.ts";
import * as schema from "../store/schema.ts";
import { authenticate } from "./authentication.ts";
import { Classifiers } from "./classify.ts";
import { noticeDate } from "./notice-date.ts";
import { MailReader, type Fetched } from "./reader.ts";
import { readAck, readVerdict } from "./replies.ts";
import { messageIdOf } from "./watcher.ts";

const samples = fileURLToPath(new URL("../../../../test/mail-samples/", import.meta.url));
const migrationsFolder = fileURLToPath(new URL("../migrations", import.meta.url));

const NAS = [
  {
    name: "nas-ok",
    kind: "backup-report",
    from: ["nas@lag.test"],
    subject: String.raw`Backup task (?<job>\S+) has completed`,
    set: { status: "success" },
  },
  {
    name: "nas-failed",
    kind: "backup-report",
    from: ["nas@lag.test"],
    subject: String.raw`Backup task (?<job>\S+) has failed`,
    set: { status: "failure" },
  },
];

function reader(over: Record<string, unknown> = {}) {
  const cfg = MailConfig.parse({
    host: "kronos",
    to: ["ops@lag.test"],
    imap: { host: "127.0.0.1", user: "ops", password: { file: "/dev/null" }, authservId: "mail.lag.test", ...over },
    classifiers: NAS,
  });
  const store = openStore({
    file: join(mkdtempSync(join(tmpdir(), "lag-mail-unit-")), "m.sqlite"),
    schema,
    migrationsFolder,
    logger: memoryLogger("t").logger,
  });
  const clock = new ManualClock("2026-11-23T07:00:00Z");
  const queue = new MailQueue(store.db, "kronos");
  // These mails neither decide nor acknowledge anything: nothing is asked of the bus (test/mail.test.ts does that).
  const bus = {} as Bus;
  const approvals = new MailApprovals({ cfg, db: store.db, queue, bus, clock, log: memoryLogger("t").logger });
  const acks = new MailAcks({ cfg, bus, log: memoryLogger("t").logger });
  return new MailReader({
    imap: cfg.imap!,
    classifiers: new Classifiers(cfg.classifiers),
    approvals,
    acks,
    queue,
    clock,
    self: "lag@lag.test",
  });
}

let uid = 0;
function fetched(source: Buffer | string, headersOnly = false): Fetched {
  const b = Buffer.from(source);
  return { mailbox: "INBOX", uidValidity: "7", uid: ++uid, size: b.length, source: b, headersOnly, messageId: messageIdOf(b) };
}
const sample = (name: string) => readFileSync(join(samples, name));

describe("reading notification mails", () => {
  it("a NoIP mail becomes a confirmation event with hostname, deadline and link", async () => {
    const e = await reader().read(fetched(sample("noip-expiring.eml")));
    expect(MailIn.parse(e)).toMatchObject({
      kind: "noip-confirm",
      classifier: "noip",
      hostname: "lagrieta.ddns.net",
      link: "https://www.noip.com/confirm-host?n=Zx81kLq0&h=lagrieta.ddns.net",
      // "expires in 7 days" from the mail's date.
      deadline: "2026-11-30T06:12:00.000Z",
      authenticated: true,
      messageId: "<20261123061200.3f2a@noip.com>",
    });
  });

  it("a GoDaddy renewal notice (HTML only) becomes an expiry event", async () => {
    const e = await reader().read(fetched(sample("godaddy-renewal.eml")));
    expect(e).toMatchObject({ kind: "domain-expiry", classifier: "godaddy", domain: "lagrieta.es", expiresAt: "2026-12-15T00:00:00.000Z" });
  });

  it("a NAS's reports become backup reports, by the configured classifiers", async () => {
    const r = reader();
    expect(await r.read(fetched(sample("nas-backup-failed.eml")))).toMatchObject({
      kind: "backup-report",
      job: "kronos-photos",
      status: "failure",
    });
    expect(await r.read(fetched(sample("nas-backup-ok.eml")))).toMatchObject({
      kind: "backup-report",
      job: "kronos-photos",
      status: "success",
    });
  });

  it("a stranger's mail is recorded unclassified", async () => {
    const e = await reader().read(fetched(sample("stranger.eml")));
    expect(e).toMatchObject({ kind: "unclassified", from: "win@prizes.example" });
    expect((e as { reason: string }).reason).toMatch(/not trusted/);
  });

  it("a forged NoIP mail: only the receiving server's own verdict counts, and it failed", async () => {
    const e = await reader().read(fetched(sample("noip-forged.eml")));
    expect(e).toMatchObject({ kind: "unclassified", authenticated: false });
    expect((e as { reason: string }).reason).toMatch(/not authenticated: mail.lag.test saw dkim=fail, dmarc=fail/);
    // Without the requirement it would have been believed: the check is what stops it.
    expect(await reader({ requireAuthentication: false }).read(fetched(sample("noip-forged.eml")))).toMatchObject({ kind: "noip-confirm" });
  });

  it("garbage, a mail without headers, and a huge mail are unclassified, never a crash", async () => {
    const r = reader();
    const garbage = await r.read(fetched(Buffer.from([0, 255, 13, 10, 1, 2, 3, 0xfe, 0xff])));
    expect(garbage.kind).toBe("unclassified");
    const noHeaders = await r.read(fetched("just some words\r\n\r\nand more"));
    expect(noHeaders).toMatchObject({ kind: "unclassified", from: "" });
    const huge = await r.read({ ...fetched(sample("noip-expiring.eml"), true), size: 80 * 1024 ** 2 });
    expect(huge).toMatchObject({ kind: "unclassified", subject: "ACTION REQUIRED: lagrieta.ddns.net is Expiring Soon" });
    expect((huge as { reason: string }).reason).toMatch(/too large: 83886080 bytes/);
    for (const e of [garbage, noHeaders, huge]) expect(() => MailIn.parse(e)).not.toThrow();
  });
});

describe("Authentication-Results", () => {
  const ours = "mail.lag.test";
  it("passes on DMARC or aligned DKIM from our server, and only ours", () => {
    expect(authenticate([`${ours}; dmarc=pass header.from=noip.com`], "a@noip.com", ours).ok).toBe(true);
    expect(authenticate([`${ours}; dkim=pass header.d=noip.com`], "a@mail.noip.com", ours).ok).toBe(true);
    expect(authenticate([`${ours}; dkim=pass header.d=attacker.example`], "a@noip.com", ours).ok).toBe(false);
    expect(authenticate([`other.example; dmarc=pass header.from=noip.com`], "a@noip.com", ours)).toEqual({
      ok: false,
      why: "no Authentication-Results from mail.lag.test",
    });
    // The topmost of ours is the receiving server's; one below it came with the mail.
    expect(
      authenticate([`${ours}; dmarc=fail header.from=noip.com`, `${ours}; dmarc=pass header.from=noip.com`], "a@noip.com", ours).ok,
    ).toBe(false);
  });
});

describe("notice dates", () => {
  it("reads the forms notices use, at midnight UTC", () => {
    for (const s of ["2026-12-15", "12/15/2026", "15/12/2026", "December 15, 2026", "Dec. 15 2026", "15 December 2026"])
      expect(noticeDate(s)?.toISOString(), s).toBe("2026-12-15T00:00:00.000Z");
    for (const s of ["31/31/2026", "Smarch 3 2026", "2026-02-30", "soon"]) expect(noticeDate(s), s).toBeUndefined();
  });
});

describe("what a reply says", () => {
  it("a verdict and its code, from the author's own lines only", () => {
    expect(readVerdict("approve k7q2-9xmb\n\nthanks")).toEqual({ decision: "approve", code: "K7Q29XMB" });
    expect(readVerdict("> APPROVE K7Q2-9XMB")).toEqual({ error: "no APPROVE or DENY followed by a code in the reply" });
    expect(readVerdict("ok\n\nOn Mon, LAG wrote:\nAPPROVE K7Q2-9XMB")).toHaveProperty("error");
    expect(readVerdict("APPROVE K7Q2-9XMB or maybe DENY K7Q2-9XMB")).toEqual({
      error: "the reply says approve K7Q29XMB and deny K7Q29XMB: no decision",
    });
  });

  it("an ACK first on a line, and its note", () => {
    expect(readAck("ACK")).toEqual({ note: "" });
    expect(readAck("hi\nack: swapping the disk now")).toEqual({ note: "swapping the disk now" });
    expect(readAck("> ACK")).toBeUndefined();
    expect(readAck("I will not acknowledge this")).toBeUndefined();
    expect(readAck("ok\n-----Original Message-----\nACK")).toBeUndefined();
  });
});
