/**
 * bench/mail: how soon a critical incident is in the operator's mailbox, and what the mail worker
 * costs over sending the same mail by hand, through the same SMTP door into the same dovecot.
 *
 *   1. latency, one at a time: a critical notification published on the bus → the mail visible over
 *      IMAP (queued in SQLite, sent, relayed, delivered), against nodemailer sending the same mail
 *      straight to the SMTP door → visible; and the part until the SMTP server took it (LAG: its
 *      mail.out event; by hand: sendMail resolved). Goal ("within seconds"): LAG's p95 ≤ 2 s.
 *   2. a burst of 100 critical notifications at once (100 incidents) → all 100 in the mailbox,
 *      against 100 sends by hand one after the other on one connection.
 *   3. the daily digest: made (report read, backups and approvals asked) and rendered, through the
 *      service, as `lag mail digest --preview` does.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTransport } from "nodemailer";
import type { BenchReport, Benchmark, Metrics, VariantSpec } from "@lag/bench";
import { compareVariants, ratio } from "@lag/bench";
import { dailyReport, mailOut, mailService, notification, type Notification } from "@lag/contracts";
import { memoryLogger, startMailServer, startTestNats } from "@lag/testing";
import { startWorker, type RunningWorker } from "@lag/worker";
import { mailWorker } from "../../src/workers/mail/worker.ts";

const ONE_BY_ONE = 20;
const BURST = 100;

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
}

let seq = 0;
function critical(): Notification {
  const n = ++seq;
  const at = new Date().toISOString();
  return {
    id: `ntf-bench-${n}-${Date.now()}`,
    kind: "opened",
    incident: {
      id: `inc-bench-${n}-${Date.now()}`,
      title: `disk /mnt/d${n} is 97% full`,
      host: "bench",
      group: { host: "bench", mount: `/mnt/d${n}` },
      severity: "critical",
      state: "analysing",
      openedAt: at,
      firing: 1,
      alertCount: 1,
      rules: ["disk-critical"],
    },
    title: `[critical] bench: disk /mnt/d${n} is 97% full`,
    text: `disk /mnt/d${n} is 97% full since now`,
    needsPerson: true,
    at,
  };
}

export const benchmark: Benchmark = {
  name: "mail",
  description: "a critical incident to the mailbox (IMAP) through it-mail against nodemailer by hand; a burst of 100; the digest",
  async run(ctx): Promise<BenchReport> {
    const dir = mkdtempSync(join(tmpdir(), "lag-bench-mail-"));
    const server = await startMailServer();
    const nats = await startTestNats();
    let worker: RunningWorker | undefined;
    const config = join(dir, "lag.yaml");
    writeFileSync(
      config,
      `dataDir: ${dir}/data
log: { level: warn }
it:
  monitor: { host: bench }
  mail:
    from: "LAG <lag@lag.test>"
    to: [${server.address}]
    smtp: { host: 127.0.0.1, port: ${server.smtpPort}, security: none, user: ${server.user}, password: { file: ${server.passwordFile} } }
`,
    );
    const imap = server.client();
    try {
      await nats.provisionStreams();
      worker = await startWorker(mailWorker, { env: { LAG_CONFIG: config, NATS_URL: nats.url }, logger: memoryLogger("it-mail").logger });
      const incidents = await nats.bus("it-incidents");
      const cli = await nats.bus("cli");
      await imap.connect();
      await imap.mailboxOpen("INBOX");
      // The mailbox's count, kept up to date by IDLE's EXISTS; a waiter per count reached.
      let exists = (imap.mailbox as { exists: number }).exists;
      const waiters: { n: number; resolve: () => void }[] = [];
      imap.on("exists", (e: { count: number }) => {
        exists = e.count;
        for (const w of waiters.splice(0))
          if (exists >= w.n) w.resolve();
          else waiters.push(w);
      });
      const reach = (n: number) => (exists >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })));
      const hand = createTransport({
        host: "127.0.0.1",
        port: server.smtpPort,
        secure: false,
        ignoreTLS: true,
        auth: { user: server.user, pass: server.password },
      });
      const byHand = (n: Notification) => hand.sendMail({ from: "LAG <lag@lag.test>", to: server.address, subject: n.title, text: n.text });

      // When the SMTP server took each of LAG's mails (its mail.out event).
      const taken = new Map<string, () => void>();
      cli.subscribe(mailOut, (d) => taken.get(d.data.id)?.());
      await cli.nc.flush();
      const viaLag = async (n: Notification) => {
        const sent = new Promise<void>((resolve) => taken.set(`alert-${n.id}`, resolve));
        await incidents.publish(notification, n);
        await sent;
      };

      /** `send` resolves when the SMTP server took the mail; then it is waited for over IMAP. */
      const oneByOne = async (send: (n: Notification) => Promise<unknown>): Promise<Metrics> => {
        const ms: number[] = [];
        const accepted: number[] = [];
        for (let i = 0; i < ONE_BY_ONE; i++) {
          const target = exists + 1;
          const t0 = performance.now();
          await send(critical());
          accepted.push(performance.now() - t0);
          await reach(target);
          ms.push(performance.now() - t0);
        }
        return {
          p50: percentile(ms, 50),
          p95: percentile(ms, 95),
          max: Math.max(...ms),
          takenP50: percentile(accepted, 50),
          takenP95: percentile(accepted, 95),
        };
      };
      ctx.progress(`latency: ${ONE_BY_ONE} critical notifications one at a time`);
      const latency: VariantSpec[] = [
        {
          name: "it-mail",
          description: "notification published → queued → SMTP → LMTP → visible over IMAP",
          run: () => oneByOne(viaLag),
        },
        { name: "by hand", description: "nodemailer sendMail to the same SMTP door → visible over IMAP", run: () => oneByOne(byHand) },
      ];
      const lv = await compareVariants(
        ctx,
        "latency",
        "p95",
        latency,
        (m) => `p50 ${m.p50!.toFixed(0)} ms, p95 ${m.p95!.toFixed(0)} ms; SMTP took it: p95 ${m.takenP95!.toFixed(1)} ms`,
      );

      const burst = async (send: (ns: Notification[]) => Promise<unknown>): Promise<Metrics> => {
        const ns = Array.from({ length: BURST }, critical);
        const target = exists + BURST;
        const t0 = performance.now();
        await send(ns);
        await reach(target);
        const s = (performance.now() - t0) / 1000;
        return { seconds: s, mailsPerSec: BURST / s };
      };
      ctx.progress(`burst: ${BURST} critical notifications at once`);
      const bv = await compareVariants(
        ctx,
        "burst",
        "seconds",
        [
          {
            name: "it-mail",
            description: `${BURST} notifications published at once → all in the mailbox`,
            run: () => burst((ns) => Promise.all(ns.map((n) => incidents.publish(notification, n)))),
          },
          {
            name: "by hand",
            description: `${BURST} sendMail one after the other on one connection → all in the mailbox`,
            run: () =>
              burst(async (ns) => {
                for (const n of ns) await byHand(n);
              }),
          },
        ],
        (m) => `${m.seconds!.toFixed(2)} s, ${m.mailsPerSec!.toFixed(0)} mails/s`,
      );

      ctx.progress("the digest, made and rendered");
      await incidents.publish(dailyReport, {
        ...dailyReport.example,
        day: new Date().toISOString().slice(0, 10),
        generatedAt: new Date().toISOString(),
      });
      await new Promise((r) => setTimeout(r, 500));
      const dv = await compareVariants(
        ctx,
        "digest",
        "ms",
        [
          {
            name: "digest preview",
            description:
              "lag mail digest --preview: the report read, backups and approvals asked (nobody answers here), HTML and text made",
            run: async () => {
              const t0 = performance.now();
              const r = await cli.request(mailService.endpoints.digest, { kind: "daily", send: false });
              return { ms: performance.now() - t0, htmlKiB: r.html.length / 1024 };
            },
          },
        ],
        (m) => `${m.ms!.toFixed(1)} ms, ${m.htmlKiB!.toFixed(1)} KiB of HTML`,
      );
      hand.close();
      const goal = lv.find((v) => v.name === "it-mail")!.median.p95!;
      return {
        facts: {
          path: "SMTP door (smtp-server) → LMTP → dovecot Maildir → IMAP IDLE, all on loopback",
          mails: `${ONE_BY_ONE} one by one, ${BURST} in a burst`,
        },
        measurements: [
          {
            id: "mail-latency",
            title: "A critical incident to the mailbox, one at a time",
            key: "p95",
            units: { p50: "ms", p95: "ms", max: "ms", takenP50: "ms", takenP95: "ms" },
            variants: lv,
            ratios: [
              ratio("it-mail / by hand p95", lv, "it-mail", "by hand", "p95"),
              ratio("it-mail / by hand, until the SMTP server took it (p95)", lv, "it-mail", "by hand", "takenP95"),
            ],
            notes: [`it-mail p95 ${goal.toFixed(0)} ms (goal "within seconds": ≤ 2000 ms ${goal <= 2000 ? "met" : "NOT met"})`],
          },
          {
            id: "mail-burst",
            title: `${BURST} critical incidents at once`,
            key: "seconds",
            units: { seconds: "s", mailsPerSec: "mails/s" },
            variants: bv,
            ratios: [ratio("it-mail / by hand", bv, "it-mail", "by hand", "seconds")],
            notes: [],
          },
          {
            id: "mail-digest",
            title: "The daily digest, made and rendered",
            key: "ms",
            units: { ms: "ms", htmlKiB: "KiB" },
            variants: dv,
            ratios: [],
            notes: [],
          },
        ],
      };
    } finally {
      await imap.logout().catch(() => undefined);
      await worker?.shutdown("bench");
      await nats.stop();
      await server.stop();
    }
  },
};
