import { createHash } from "node:crypto";
import { ImapFlow } from "imapflow";
import { Backoff, sleep, type Clock } from "@lag/async";
import { readSecret } from "@lag/config";
import { mailIn } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { Outbox } from "@lag/worker";
import type { ImapConfig } from "../config.ts";
import type { ReadBook } from "./read-book.ts";
import type { MailReader } from "./reader.ts";

const PROCESSED_FLAG = "$LagProcessed";

/**
 * The Message-ID in a mail's header block, before anything parses it (what was read is skipped
 * unread); a mail without one is named by a hash of its first 64 KiB, which a new UID does not change.
 */
export function messageIdOf(source: Buffer): string {
  const end = source.indexOf("\r\n\r\n");
  const head = source.subarray(0, end < 0 ? Math.min(source.length, 64 * 1024) : end).toString("latin1");
  const found = head.replace(/\r?\n[ \t]+/g, " ").match(/^message-id:\s*(<[^>\s]+>)/im)?.[1];
  return (
    found ??
    `<${createHash("sha256")
      .update(source.subarray(0, 64 * 1024))
      .digest("hex")
      .slice(0, 32)}@no-message-id>`
  );
}

export interface WatcherOptions {
  imap: ImapConfig;
  book: ReadBook;
  reader: MailReader;
  outbox: Outbox;
  clock: Clock;
  log: Logger;
}

/**
 * Watches the mailbox over IMAP with imapflow: reads what arrived since the last UID done (IDLE
 * on the first mailbox, so new mail is read at once; the others polled), publishes what each mail
 * is, then flags or moves it. A lost connection is opened again after a back-off and the watcher
 * catches up from its cursor; nothing is read twice across restarts (UID + UIDVALIDITY, then
 * Message-ID).
 */
export class MailboxWatcher {
  private readonly abort = new AbortController();
  private client?: ImapFlow;
  private loop?: Promise<void>;
  private wake?: () => void;
  private moveTo = "";
  private readonly backoff: Backoff;

  constructor(private readonly o: WatcherOptions) {
    this.backoff = new Backoff({ initialMs: o.imap.reconnectMin, maxMs: o.imap.reconnectMax });
  }

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.abort.abort();
    this.wake?.();
    const c = this.client;
    if (c) await c.logout().catch(() => c.close());
    await this.loop;
  }

  private async run(): Promise<void> {
    const { log } = this.o;
    while (!this.abort.signal.aborted) {
      try {
        await this.session();
      } catch (err) {
        if (this.abort.signal.aborted) break;
        const wait = this.backoff.failed();
        const reason = (err as Error).message;
        if (this.backoff.attempts === 1 || this.backoff.attempts % 10 === 0)
          log.warn(
            { host: this.o.imap.host, user: this.o.imap.user, reason, retryInMs: wait, attempts: this.backoff.attempts },
            "IMAP watcher interrupted (connection lost, or a reply could not be decided yet); reconnecting",
          );
        // Aborted by stop(): the loop ends.
        await sleep(wait, this.abort.signal).catch(() => undefined);
      }
    }
  }

  private async session(): Promise<void> {
    const { imap, log } = this.o;
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.security === "tls",
      doSTARTTLS: imap.security === "starttls" ? true : imap.security === "none" ? false : undefined,
      auth: { user: imap.user, pass: readSecret(imap.password) },
      tls: { rejectUnauthorized: !imap.allowSelfSigned },
      logger: false,
      autoIdleDelay: 200,
      maxIdleTime: imap.idleRestart,
      connectionTimeout: imap.timeout,
      greetingTimeout: imap.timeout,
      socketTimeout: Math.max(imap.timeout, imap.idleRestart + 60_000),
    });
    this.client = client;
    let closed = false;
    // imapflow emits the cause of a lost connection before it closes: it is what the reconnect reports.
    let lost: Error | undefined;
    client.on("error", (err: Error) => (lost = err));
    client.on("close", () => {
      closed = true;
      this.wake?.();
    });
    let dirty = true;
    client.on("exists", () => {
      dirty = true;
      this.wake?.();
    });
    try {
      await client.connect();
      if (this.backoff.attempts > 0)
        log.info({ host: imap.host, after: this.backoff.attempts }, "IMAP watcher connected again; catching up");
      else log.info({ host: imap.host, user: imap.user, mailboxes: imap.mailboxes }, "IMAP watcher connected");
      this.backoff.succeeded();
      if (imap.after === "move") {
        // `LAG/Processed` in the server's own hierarchy separator (`.` for dovecot's Maildir).
        this.moveTo = imap.moveTo.split("/").join(client.namespace?.delimiter ?? "/");
        // An existing folder is no error (imapflow answers created: false); anything else is worth a line.
        await client
          .mailboxCreate(this.moveTo)
          .catch((err: Error) =>
            log.warn({ mailbox: this.moveTo, reason: err.message }, "cannot create the folder read mails are moved to"),
          );
      }
      let lastPoll = 0;
      while (!this.abort.signal.aborted && !closed) {
        const now = this.o.clock.now().getTime();
        const poll = now - lastPoll >= imap.pollEvery;
        if (poll) lastPoll = now;
        const boxes = poll ? imap.mailboxes : dirty ? [imap.mailboxes[0]!] : [];
        dirty = false;
        for (const mb of boxes) await this.scan(client, mb);
        // The first mailbox stays selected: imapflow IDLEs on it, and `exists` wakes us.
        if (!closed) (await client.getMailboxLock(imap.mailboxes[0]!)).release();
        if (!dirty && !closed)
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, Math.max(50, imap.pollEvery - (this.o.clock.now().getTime() - lastPoll)));
            this.wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
        this.wake = undefined;
      }
      if (closed && !this.abort.signal.aborted) throw new Error(`the IMAP server closed the connection${lost ? `: ${lost.message}` : ""}`);
    } finally {
      this.client = undefined;
      if (!closed) await client.logout().catch(() => client.close());
    }
  }

  /** Reads every mail of the mailbox past its cursor, in UID order. */
  private async scan(client: ImapFlow, mailbox: string): Promise<void> {
    const { book, log } = this.o;
    const lock = await client.getMailboxLock(mailbox);
    try {
      const box = client.mailbox;
      if (!box) return;
      const uidValidity = String(box.uidValidity);
      let cur = book.cursor(mailbox);
      if (cur?.uidValidity !== uidValidity) {
        if (cur)
          log.warn(
            { mailbox, was: cur.uidValidity, now: uidValidity },
            "the mailbox's UIDVALIDITY changed: reading it again, mails already read are skipped by Message-ID",
          );
        book.reset(mailbox, uidValidity);
        cur = { uidValidity, lastUid: 0 };
      }
      if (box.exists === 0) return;
      const todo: { uid: number; size: number }[] = [];
      for await (const m of client.fetch(`${cur.lastUid + 1}:*`, { uid: true, size: true }, { uid: true }))
        if (m.uid > cur.lastUid) todo.push({ uid: m.uid, size: m.size ?? 0 });
      todo.sort((a, b) => a.uid - b.uid);
      for (const { uid, size } of todo) {
        if (this.abort.signal.aborted) return;
        await this.readOne(client, mailbox, uidValidity, uid, size);
      }
      if (todo.length > 0) log.debug({ mailbox, read: todo.length }, "mailbox read");
    } finally {
      lock.release();
    }
  }

  private async readOne(client: ImapFlow, mailbox: string, uidValidity: string, uid: number, size: number): Promise<void> {
    const { book, reader, outbox, log, imap, clock } = this.o;
    const headersOnly = size > imap.maxBytes;
    const got = await client.fetchOne(String(uid), headersOnly ? { headers: true } : { source: true }, { uid: true });
    const source = got ? (headersOnly ? got.headers : got.source) : undefined;
    if (!source) {
      // Expunged between the listing and the fetch: nothing to read.
      book.done(mailbox, uidValidity, uid, `<${mailbox}/${uidValidity}/${uid}@gone>`, "gone", clock.now().getTime());
      return;
    }
    const messageId = messageIdOf(source);
    if (book.knows(messageId)) {
      log.info({ mailbox, uid, messageId }, "mail read already (same Message-ID): skipped");
      book.done(mailbox, uidValidity, uid, messageId, "duplicate", clock.now().getTime());
      await this.mark(client, uid);
      return;
    }
    const event = await reader.read({ mailbox, uidValidity, uid, size, source, headersOnly, messageId });
    const id = createHash("sha256").update(`${mailbox}\n${uidValidity}\n${uid}`).digest("hex").slice(0, 32);
    // Journalled before it is recorded: a crash in between reads it again and sends it with the same id, stored once.
    outbox.add(mailIn, event, { id: `in-${id}` });
    book.done(mailbox, uidValidity, uid, messageId, event.kind, clock.now().getTime());
    void outbox.flush();
    const { reason, outcome } = event as { reason?: string; outcome?: string };
    log.info({ mailbox, uid, from: event.from, kind: event.kind, outcome, reason }, "mail read");
    await this.mark(client, uid);
  }

  private async mark(client: ImapFlow, uid: number): Promise<void> {
    const { imap, log } = this.o;
    try {
      if (imap.after === "move") await client.messageMove(String(uid), this.moveTo, { uid: true });
      else await client.messageFlagsAdd(String(uid), ["\\Seen", PROCESSED_FLAG], { uid: true });
    } catch (err) {
      log.warn({ uid, reason: (err as Error).message }, `could not ${imap.after} a mail that was read (it is not read again)`);
    }
  }
}
