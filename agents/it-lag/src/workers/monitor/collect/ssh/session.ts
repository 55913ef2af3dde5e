import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { Backoff } from "@lag/async";
import type { Logger } from "@lag/log";
import { Client, type ConnectConfig } from "ssh2";

export interface SshEndpoint {
  /** The target's name (the host it is on the bus): used in messages. */
  name: string;
  address: string;
  port: number;
  user: string;
  /** Path to the private key (OpenSSH or PEM). Read at every connection, so a rotated key is used. */
  keyFile: string;
  passphrase?: () => string;
  /** Pinned host keys: `SHA256:…` fingerprints or whole public keys (`ssh-ed25519 AAAA…`). */
  hostKeys: readonly string[];
  connectTimeoutMs: number;
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** The command's exit status; null when it ended by a signal. */
  code: number | null;
}

/** The SHA256 fingerprint of a host key blob, as `ssh-keygen -l` prints it. */
export function fingerprint(keyBlob: Buffer): string {
  return `SHA256:${createHash("sha256").update(keyBlob).digest("base64").replace(/=+$/, "")}`;
}

/** A pin as a fingerprint: a whole public key line (`type base64 [comment]`) is hashed. */
export function pinnedFingerprint(pin: string): string {
  const t = pin.trim();
  if (t.startsWith("SHA256:")) return t.replace(/=+$/, "");
  const blob = t.split(/\s+/)[1];
  if (!blob) throw new Error(`host key ${JSON.stringify(pin)} is neither SHA256:… nor "type base64-key"`);
  return fingerprint(Buffer.from(blob, "base64"));
}

/**
 * One SSH connection to a host without an agent on it, reused by every read: opened on first use,
 * dropped when the server closes it or a keep-alive goes unanswered, and opened again on the next
 * read once the back-off allows (doubling from `reconnectMinMs` to `reconnectMaxMs`), so a host that
 * is down costs one failed dial per back-off step, not one per round. The host key must match a pin:
 * an unknown or changed key is refused with its fingerprint, and nothing is sent.
 */
export class SshSession {
  private client?: Client;
  private connecting?: Promise<Client>;
  private readonly backoff: Backoff;
  private retryAt = 0;
  private lastError?: string;
  private readonly pins: Set<string>;

  constructor(
    private readonly ep: SshEndpoint,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.backoff = new Backoff({ initialMs: ep.reconnectMinMs, maxMs: ep.reconnectMaxMs });
    this.pins = new Set(ep.hostKeys.map(pinnedFingerprint));
  }

  get connected(): boolean {
    return this.client !== undefined;
  }

  /** Runs one command over the connection (opening it if need be); rejects when the host cannot be reached. */
  async exec(command: string, timeoutMs: number): Promise<ExecResult> {
    const client = await this.connection();
    return await new Promise<ExecResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`${this.where()}: no answer to the command within ${timeoutMs} ms`));
        // A channel that hangs is as good as a dead connection: the next read dials again.
        this.drop(client, `a command hung for ${timeoutMs} ms`);
      }, timeoutMs);
      client.exec(command, (err, channel) => {
        if (err) {
          clearTimeout(timer);
          reject(new Error(`${this.where()}: ${err.message}`));
          return;
        }
        const out: Buffer[] = [];
        const errs: Buffer[] = [];
        channel.on("data", (b: Buffer) => out.push(b));
        channel.stderr.on("data", (b: Buffer) => errs.push(b));
        channel.on("close", (code: number | null) => {
          clearTimeout(timer);
          resolve({ stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(errs).toString("utf8"), code: code ?? null });
        });
      });
    });
  }

  close(): void {
    this.client?.end();
    this.client = undefined;
  }

  private where(): string {
    return `${this.ep.name} (${this.ep.user}@${this.ep.address}:${this.ep.port})`;
  }

  private async connection(): Promise<Client> {
    if (this.client) return this.client;
    if (this.connecting) return await this.connecting;
    const wait = this.retryAt - this.now();
    if (wait > 0) throw new Error(`${this.lastError ?? `${this.where()} is unreachable`} (next attempt in ${Math.ceil(wait / 1000)} s)`);
    this.connecting = this.dial().finally(() => {
      this.connecting = undefined;
    });
    return await this.connecting;
  }

  private dial(): Promise<Client> {
    let refused: string | undefined;
    let key: Buffer;
    try {
      key = readFileSync(this.ep.keyFile);
    } catch (err) {
      return Promise.reject(this.failed(`${this.where()}: cannot read the key file ${this.ep.keyFile}: ${(err as Error).message}`));
    }
    const config: ConnectConfig = {
      host: this.ep.address,
      port: this.ep.port,
      username: this.ep.user,
      privateKey: key,
      ...(this.ep.passphrase ? { passphrase: this.ep.passphrase() } : {}),
      readyTimeout: this.ep.connectTimeoutMs,
      keepaliveInterval: 15_000,
      keepaliveCountMax: 3,
      hostVerifier: (blob: Buffer) => {
        const seen = fingerprint(blob);
        if (this.pins.has(seen)) return true;
        refused =
          this.pins.size === 0
            ? `${this.where()}: host key ${seen} refused, no hostKey is pinned; check it (ssh-keygen -lf on the host's key) and set hostKey: "${seen}"`
            : `${this.where()}: host key ${seen} refused, it is not the pinned ${[...this.pins].join(" or ")}; if the host was reinstalled, check the new key and update hostKey`;
        return false;
      },
    };
    return new Promise<Client>((resolve, reject) => {
      const client = new Client();
      let ready = false;
      // ssh2 reports a failed dial as an error and then a close: one failure, one back-off step.
      let settled = false;
      const fail = (message: string) => {
        if (settled) return;
        settled = true;
        reject(this.failed(message));
      };
      client.on("ready", () => {
        ready = true;
        settled = true;
        this.client = client;
        this.backoff.succeeded();
        this.retryAt = 0;
        if (this.lastError) this.log.info({ target: this.ep.name }, `${this.where()}: connected again`);
        else this.log.info({ target: this.ep.name }, `${this.where()}: connected`);
        this.lastError = undefined;
        resolve(client);
      });
      client.on("error", (err: Error & { level?: string }) => {
        if (!ready) {
          fail(refused ?? `${this.where()}: ${describe(err)}`);
          return;
        }
        this.drop(client, describe(err));
      });
      client.on("close", () => {
        if (!ready) fail(refused ?? `${this.where()}: the connection closed before login`);
        else this.drop(client, "the connection closed");
      });
      client.connect(config);
    });
  }

  private drop(client: Client, why: string): void {
    if (this.client !== client) return;
    this.client = undefined;
    client.end();
    this.lastError = `${this.where()}: ${why}`;
    this.log.warn({ target: this.ep.name }, `${this.where()}: connection lost (${why})`);
  }

  private failed(message: string): Error {
    const wait = this.backoff.failed();
    this.retryAt = this.now() + wait;
    if (message !== this.lastError) this.log.warn({ target: this.ep.name, retryInMs: wait }, message);
    this.lastError = message;
    return new Error(message);
  }
}

function describe(err: Error & { level?: string; code?: string }): string {
  if (err.level === "client-authentication") return "the key was not accepted for this user";
  if (err.level === "client-timeout") return "no SSH greeting within the connect timeout";
  if (err.code === "ECONNREFUSED") return "connection refused (is sshd running?)";
  return err.message;
}
