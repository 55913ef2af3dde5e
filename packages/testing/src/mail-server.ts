import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ImapFlow } from "imapflow";
import { createTransport } from "nodemailer";
import { SMTPServer } from "smtp-server";
import { freePort } from "@lag/launcher";
import { eventually } from "./wait.ts";

export interface TestMailServer {
  /** The one mailbox: its login and password (also in `passwordFile`). */
  user: string;
  password: string;
  passwordFile: string;
  /** The address its mail is delivered to. */
  address: string;
  imapPort: number;
  smtpPort: number;
  /** An IMAP client of the mailbox, not yet connected (`autoIdleDelay` short, so IDLE news come at once). */
  client(): ImapFlow;
  /** Hands a raw mail to dovecot over LMTP, as the receiving server would: into the mailbox. */
  deliver(raw: string | Buffer): Promise<void>;
  stopSmtp(): Promise<void>;
  startSmtp(): Promise<void>;
  stopImap(): void;
  startImap(): Promise<void>;
  /** Rebuilds the mailbox's UID list, as a restored or migrated mailbox is: a new UIDVALIDITY, new UIDs. */
  renumber(): Promise<void>;
  stop(): Promise<void>;
}

function dovecotConfig(dir: string, imapPort: number, lmtpPort: number): string {
  return [
    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `log_path = ${dir}/dovecot.log`,
    "listen = 127.0.0.1",
    "protocols = imap lmtp",
    "ssl = no",
    "disable_plaintext_auth = no",
    "auth_mechanisms = plain login",
    // LMTP looks the user up by the whole address; the passwd file names it alone.
    "auth_username_format = %n",
    "mail_location = maildir:~/Maildir",
    "default_login_user = dovenull",
    "default_internal_user = dovecot",
    `passdb {\n  driver = passwd-file\n  args = ${dir}/users\n}`,
    `userdb {\n  driver = passwd-file\n  args = ${dir}/users\n}`,
    `service imap-login {\n  inet_listener imap {\n    address = 127.0.0.1\n    port = ${imapPort}\n  }\n}`,
    `service lmtp {\n  inet_listener lmtp {\n    address = 127.0.0.1\n    port = ${lmtpPort}\n  }\n}`,
    "protocol lmtp {\n  postmaster_address = postmaster@lag.test\n}",
    "",
  ].join("\n");
}

async function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

/**
 * A real mail server on loopback: Debian's dovecot for IMAP and LMTP in a temporary folder, and an
 * SMTP door (the `smtp-server` package, with login) that relays every mail it takes into dovecot
 * over LMTP — the SMTP → LMTP → Maildir → IMAP path of a Poste.io, in about 0.2 s.
 */
export async function startMailServer(o: { user?: string; password?: string } = {}): Promise<TestMailServer> {
  const user = o.user ?? "ops";
  const password = o.password ?? `pw-${Math.random().toString(36).slice(2)}-secret`;
  const dir = mkdtempSync(join(tmpdir(), "lag-mail-"));
  // dovecot's auth process (user dovecot) reads the users file.
  chmodSync(dir, 0o755);
  const home = join(dir, "home");
  mkdirSync(home);
  mkdirSync(join(dir, "run"));
  mkdirSync(join(dir, "state"));
  // dovecot reads mail as the user's uid: nobody (it refuses uid 0).
  chownSync(home, 65534, 65534);
  writeFileSync(join(dir, "users"), `${user}:{PLAIN}${password}:65534:65534::${home}\n`);
  const passwordFile = join(dir, "password");
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o600 });
  const [imapPort, lmtpPort, smtpPort] = [await freePort(), await freePort(), await freePort()];
  const conf = join(dir, "dovecot.conf");
  writeFileSync(conf, dovecotConfig(dir, imapPort, lmtpPort));
  const address = `${user}@lag.test`;
  const lmtp = createTransport({ host: "127.0.0.1", port: lmtpPort, lmtp: true, ignoreTLS: true } as never);

  const startImap = async () => {
    execFileSync("dovecot", ["-c", conf], { stdio: "ignore" });
    await eventually(() => listening(imapPort), 10_000, `dovecot to listen on ${imapPort}; its log: ${logOf()}`);
    await eventually(() => listening(lmtpPort), 10_000, `dovecot LMTP on ${lmtpPort}`);
  };
  const logOf = () => (existsSync(join(dir, "dovecot.log")) ? readFileSync(join(dir, "dovecot.log"), "utf8").slice(-2000) : "");
  /** Stops dovecot and its client processes: `dovecot stop` alone leaves open IMAP sessions running. */
  const stopImap = () => {
    const pidFile = join(dir, "run", "master.pid");
    const master = existsSync(pidFile) ? readFileSync(pidFile, "utf8").trim() : undefined;
    let children: number[] = [];
    try {
      if (master) children = execFileSync("pgrep", ["-P", master]).toString().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      // none
    }
    try {
      execFileSync("dovecot", ["-c", conf, "stop"], { stdio: "ignore" });
    } catch {
      // not running
    }
    for (const pid of children) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
  };
  const deliver = async (raw: string | Buffer) => {
    await lmtp.sendMail({ envelope: { from: "sender@lag.test", to: [address] }, raw });
  };

  let smtp: SMTPServer | undefined;
  const startSmtp = async () => {
    smtp = new SMTPServer({
      secure: false,
      authOptional: false,
      allowInsecureAuth: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onAuth(auth, _session, cb) {
        if (auth.username === user && auth.password === password) cb(null, { user });
        else cb(new Error("Invalid username or password"));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          const raw = Buffer.concat(chunks);
          lmtp
            .sendMail({ envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: [address] }, raw })
            .then(() => cb())
            .catch((err: Error) => cb(err));
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      smtp!.once("error", reject);
      smtp!.listen(smtpPort, "127.0.0.1", () => resolve());
    });
  };
  const stopSmtp = async () => {
    const s = smtp;
    smtp = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };

  const renumber = async () => {
    stopImap();
    const maildir = join(home, "Maildir");
    for (const f of readdirSync(maildir)) if (f.startsWith("dovecot")) rmSync(join(maildir, f), { force: true, recursive: true });
    await startImap();
  };

  await startImap();
  await startSmtp();
  return {
    user,
    password,
    passwordFile,
    address,
    imapPort,
    smtpPort,
    deliver,
    stopSmtp,
    startSmtp,
    stopImap,
    startImap,
    renumber,
    client: () =>
      new ImapFlow({
        host: "127.0.0.1",
        port: imapPort,
        secure: false,
        doSTARTTLS: false,
        auth: { user, pass: password },
        logger: false,
        autoIdleDelay: 50,
      }),
    async stop() {
      await stopSmtp();
      stopImap();
      lmtp.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
