import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import {
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  type Authenticator,
  type NatsConnection,
  type NodeConnectionOptions,
} from "@nats-io/transport-node";
import { Backoff } from "@lag/async";
import { inboxPrefixOf, type Principal } from "@lag/contracts";
import { UnsupportedServerError } from "./errors.ts";
import { compareVersions, MIN_SERVER_VERSION } from "./version.ts";

/** How a process reaches NATS. Agents, the CLI and the launcher all read the same shape. */
export interface NatsSettings {
  servers: string[];
  user?: string;
  password?: string;
  token?: string;
  /** An nkey seed (SU…), or a file holding one. */
  nkeySeed?: string;
  nkeyFile?: string;
  /** A `.creds` file (JWT + seed) for decentralised auth. */
  credsFile?: string;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  /** Ping interval (ms) and unanswered pings before the server is taken for dead; 5 s and 2 by default. */
  pingInterval?: number;
  maxPingsOut?: number;
  /** How long one dial may take (ms); 5 s by default. */
  connectTimeout?: number;
}

export interface ConnectOptions {
  principal: Principal;
  /** Connection name shown by `nats server report connections`. */
  name: string;
  nats: NatsSettings;
  /** Stop trying after the first connect fails (CLI); agents wait and reconnect forever. */
  failFast?: boolean;
}

function authenticators(s: NatsSettings): Authenticator[] | undefined {
  const out: Authenticator[] = [];
  if (s.credsFile) out.push(credsAuthenticator(readFileSync(s.credsFile)));
  const seed = s.nkeySeed ?? (s.nkeyFile ? readFileSync(s.nkeyFile, "utf8").trim() : undefined);
  if (seed) out.push(nkeyAuthenticator(new TextEncoder().encode(seed)));
  return out.length > 0 ? out : undefined;
}

/**
 * The certificate check for TLS connections. nats.js names the server it dials (SNI and the
 * identity check) only when the URL holds a host name; for an IP address (`tls://192.168.1.10:4222`)
 * it names none, and Node then checks the certificate against "localhost". In that case the
 * certificate must be valid for one of the configured IP addresses instead.
 */
export function serverIdentityCheck(servers: readonly string[]): (host: string, cert: PeerCertificate) => Error | undefined {
  const ips = servers
    .map((u) => {
      try {
        return new URL(u.includes("://") ? u : `nats://${u}`).hostname.replace(/^\[|\]$/g, "");
      } catch {
        return "";
      }
    })
    .filter((h) => isIP(h) !== 0);
  return (host, cert) => {
    const error = checkServerIdentity(host, cert);
    if (!error || host !== "localhost" || ips.length === 0) return error;
    return ips.some((ip) => checkServerIdentity(ip, cert) === undefined)
      ? undefined
      : new Error(
          `the server's certificate is not valid for ${ips.join(" or ")} (${cert.subjectaltname ?? `CN=${cert.subject?.CN ?? "?"}`})`,
        );
  };
}

/**
 * Reconnect back-off: the first dial after a disconnect goes at once, then 100 ms, 200 ms … capped
 * at 1 s (±20 %), so a server back after a short outage is found within about a second; a client
 * waiting out a long one dials about once a second, which a server shrugs off.
 */
export const RECONNECT_BACKOFF = { initialMs: 100, maxMs: 1_000, jitter: 0.2 } as const;

/**
 * Opens a connection that reconnects forever with back-off and jitter, refuses servers older
 * than the supported version, and uses a per-principal inbox prefix (permissions keep replies private).
 */
export async function openConnection(opts: ConnectOptions): Promise<NatsConnection> {
  const s = opts.nats;
  // Counts dials, not questions: nats.js asks for the delay on every turn of its dial loop, also
  // while it only waits for the previous delay to pass, so a counter bumped in the delay handler
  // grew several times per real attempt (two dials came 11.6 s apart after a short outage).
  const dials = new Backoff(RECONNECT_BACKOFF);
  let lost: string | undefined;
  const options: NodeConnectionOptions = {
    servers: s.servers,
    name: opts.name,
    inboxPrefix: inboxPrefixOf(opts.principal),
    maxReconnectAttempts: -1,
    waitOnFirstConnect: !opts.failFast,
    reconnectDelayHandler: () => dials.peek(),
    // Every dial: counted for the back-off, and steered away from the server just lost when the
    // pool has another (a frozen node still accepts TCP: dialling it again first loses time).
    reconnectToServer: (pool) => {
      dials.failed();
      const other = lost ? pool.find((srv) => srv.listen !== lost) : undefined;
      return pool[0]?.listen === lost && other ? other : null;
    },
    pingInterval: s.pingInterval ?? 5_000,
    maxPingOut: s.maxPingsOut ?? 2,
    timeout: s.connectTimeout ?? 5_000,
    ...(s.user !== undefined ? { user: s.user, pass: s.password } : {}),
    ...(s.token !== undefined ? { token: s.token } : {}),
  };
  const auth = authenticators(s);
  if (auth) options.authenticator = auth;
  if (s.tls) {
    options.tls = {
      ...(s.tls.caFile ? { caFile: s.tls.caFile } : {}),
      ...(s.tls.certFile ? { certFile: s.tls.certFile } : {}),
      ...(s.tls.keyFile ? { keyFile: s.tls.keyFile } : {}),
      // nats.js hands these options on to tls.connect.
      checkServerIdentity: serverIdentityCheck(s.servers),
    } as NodeConnectionOptions["tls"];
  }
  const nc = await connect(options);
  dials.succeeded();
  const version = nc.info?.version ?? "0.0.0";
  if (compareVersions(version, MIN_SERVER_VERSION) < 0) {
    await nc.close();
    throw new UnsupportedServerError(version, MIN_SERVER_VERSION, nc.getServer());
  }
  void (async () => {
    for await (const st of nc.status()) {
      if (st.type === "reconnect") {
        dials.succeeded();
        lost = undefined;
      } else if (st.type === "disconnect" || st.type === "staleConnection") {
        lost = nc.getServer() || lost;
      }
    }
  })();
  return nc;
}
