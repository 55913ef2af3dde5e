import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "@lag/launcher";
import { eventually } from "./wait.ts";

export interface TestSshServer {
  port: number;
  dir: string;
  /** The account the key logs in as: whoever runs the tests (sshd not run as root serves only its own user). */
  user: string;
  /** The private key that sshd accepts. */
  userKeyFile: string;
  /** The host key's fingerprint as `ssh-keygen -l` prints it, and its public key line. */
  hostFingerprint: string;
  hostPublicKey: string;
  /** Kills sshd (connections included); `start()` brings it back on the same port with the same keys. */
  stop(): Promise<void>;
  start(): Promise<void>;
}

const SSHD = ["/usr/sbin/sshd", "/usr/local/sbin/sshd"];

/**
 * A real OpenSSH server (Debian's openssh-server, installed by the setup) from a config in a
 * temporary folder: a generated ed25519 host key and user key, key login only, on a free loopback port.
 */
export async function startSshServer(): Promise<TestSshServer> {
  const program = SSHD.find((p) => existsSync(p));
  if (!program) throw new Error("sshd not found: run `infra/setup/setup.sh test` (it installs openssh-server)");
  // sshd refuses to start without its privilege-separation directory, which the package makes only at boot.
  if (!existsSync("/run/sshd") && process.getuid?.() === 0) mkdirSync("/run/sshd", { mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), "lag-sshd-"));
  const keygen = (file: string) => execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "lag-test", "-f", file]);
  keygen(join(dir, "host_ed25519"));
  keygen(join(dir, "user_ed25519"));
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "user_ed25519.pub")), { mode: 0o600 });
  const hostFingerprint = execFileSync("ssh-keygen", ["-l", "-f", join(dir, "host_ed25519.pub")], { encoding: "utf8" }).split(" ")[1]!;
  const hostPublicKey = readFileSync(join(dir, "host_ed25519.pub"), "utf8").trim();
  const port = await freePort();
  const config = join(dir, "sshd_config");
  writeFileSync(
    config,
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host_ed25519")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      `PidFile ${join(dir, "sshd.pid")}`,
      "StrictModes no",
      "UsePAM no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      "LogLevel VERBOSE",
      "",
    ].join("\n"),
  );
  let child: ChildProcess | undefined;
  let out = "";
  const start = async () => {
    out = "";
    const c = spawn(program, ["-D", "-e", "-f", config], { stdio: ["ignore", "pipe", "pipe"] });
    c.stdout!.on("data", (b: Buffer) => (out += b.toString()));
    c.stderr!.on("data", (b: Buffer) => (out += b.toString()));
    child = c;
    await eventually(
      () =>
        new Promise<boolean>((resolve) => {
          if (c.exitCode !== null) return resolve(false);
          const s = connect(port, "127.0.0.1", () => {
            s.destroy();
            resolve(true);
          });
          s.on("error", () => resolve(false));
        }),
      10_000,
      `sshd to listen on ${port}; it said: ${out}`,
    );
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    // The listener and the per-connection processes it forked (and theirs): a dead sshd drops its clients.
    const tree = (pid: number): number[] => {
      let kids: number[] = [];
      try {
        kids = execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" })
          .split("\n")
          .filter(Boolean)
          .map(Number);
      } catch {
        // no children
      }
      return [pid, ...kids.flatMap(tree)];
    };
    const pids = tree(c.pid!);
    for (const pid of pids.reverse()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    if (c.exitCode === null) await new Promise((r) => c.once("exit", r));
  };
  await start();
  return { port, dir, user: userInfo().username, userKeyFile: join(dir, "user_ed25519"), hostFingerprint, hostPublicKey, stop, start };
}
