import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTcp, type Server as TcpServer } from "node:net";
import { freePort } from "@lag/launcher";

/**
 * Local stand-ins for what lives on the internet, speaking the documented shapes: GoDaddy's
 * domains API (v1, `sso-key` auth, `{code, message}` errors, 403 ACCESS_DENIED for small accounts,
 * 429 with `retryAfterSec`), Cloudflare Registrar (v4 envelope, Bearer token, Retry-After), RDAP
 * servers that misbehave (429 with Retry-After, malformed answers), IANA's bootstrap file, and a
 * WHOIS server on a TCP port.
 */

export type GoDaddyMode = "allowed" | "denied" | "limited";

export interface GoDaddyDomain {
  mode: GoDaddyMode;
  expires: string;
  /** Called when a renewal is accepted (the test moves the registry's date). */
  onRenew?: (period: number) => Promise<void> | void;
}

export interface StandIns {
  url: string;
  whois: string;
  godaddy: Map<string, GoDaddyDomain>;
  /** Renewal calls received, with their body. */
  renewals: { domain: string; period: number; auth: string }[];
  cloudflare: Map<string, { expires_at: string; auto_renew: boolean }>;
  cloudflarePuts: { domain: string; body: unknown; auth: string }[];
  /** Cloudflare answers 429 with this Retry-After while set. */
  cloudflareLimited: { retryAfter?: number };
  /** RDAP at /limited/: 429s before the answer, and the Retry-After they give. */
  limited: { remaining: number; retryAfter: number; hits: { at: number; status: number }[]; expires: string };
  /** IANA's file as served at /iana/dns.json (undefined: a broken answer). */
  iana: { body?: unknown };
  /** WHOIS answers by query. */
  whoisAnswers: Map<string, string>;
  stop(): Promise<void>;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString();
  return text ? JSON.parse(text) : undefined;
}

export async function startStandIns(secrets: { godaddyKey: string; godaddySecret: string; cloudflareToken: string }): Promise<StandIns> {
  const s: Omit<StandIns, "url" | "whois" | "stop"> = {
    godaddy: new Map(),
    renewals: [],
    cloudflare: new Map(),
    cloudflarePuts: [],
    cloudflareLimited: {},
    limited: { remaining: 0, retryAfter: 1, hits: [], expires: "2027-06-01T00:00:00Z" },
    iana: {},
    whoisAnswers: new Map(),
  };

  const godaddy = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (req.headers.authorization !== `sso-key ${secrets.godaddyKey}:${secrets.godaddySecret}`)
      return json(res, 401, { code: "UNABLE_TO_AUTHENTICATE", message: "Unauthorized : Could not authenticate API key/secret" });
    const m = path.match(/^\/v1\/domains\/([^/]+)(\/renew)?$/);
    const name = m ? decodeURIComponent(m[1]!) : "";
    const d = s.godaddy.get(name);
    if (d?.mode === "denied") return json(res, 403, { code: "ACCESS_DENIED", message: "Authenticated user is not allowed access" });
    if (d?.mode === "limited") return json(res, 429, { code: "TOO_MANY_REQUESTS", message: "Too many requests", retryAfterSec: 42 });
    if (!m || !d) return json(res, 404, { code: "NOT_FOUND", message: `Domain ${name} not found for shopper` });
    if (m[2] && req.method === "POST") {
      const body = (await bodyOf(req)) as { period?: number };
      s.renewals.push({ domain: name, period: body?.period ?? 1, auth: req.headers.authorization ?? "" });
      await d.onRenew?.(body?.period ?? 1);
      return json(res, 200, { orderId: 1_234_567, itemCount: 1, total: 12_000_000, currency: "EUR" });
    }
    return json(res, 200, { domainId: 1, domain: name, expires: d.expires, renewAuto: false, status: "ACTIVE", locked: true });
  };

  const cloudflare = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (s.cloudflareLimited.retryAfter !== undefined)
      return json(
        res,
        429,
        { success: false, errors: [{ code: 10000, message: "Rate limited" }], messages: [], result: null },
        {
          "retry-after": String(s.cloudflareLimited.retryAfter),
        },
      );
    if (req.headers.authorization !== `Bearer ${secrets.cloudflareToken}`)
      return json(res, 403, { success: false, errors: [{ code: 10000, message: "Authentication error" }], messages: [], result: null });
    const m = path.match(/^\/accounts\/[^/]+\/registrar\/domains\/([^/]+)$/);
    const name = m ? decodeURIComponent(m[1]!) : "";
    const d = s.cloudflare.get(name);
    if (!d) return json(res, 404, { success: false, errors: [{ code: 1003, message: "Domain not found" }], messages: [], result: null });
    if (req.method === "PUT") {
      const body = (await bodyOf(req)) as { auto_renew?: boolean };
      s.cloudflarePuts.push({ domain: name, body, auth: req.headers.authorization ?? "" });
      if (typeof body?.auto_renew === "boolean") d.auto_renew = body.auto_renew;
    }
    return json(res, 200, {
      success: true,
      errors: [],
      messages: [],
      result: { name, expires_at: d.expires_at, auto_renew: d.auto_renew, locked: true, current_registrar: "Cloudflare" },
    });
  };

  const rdapDomain = (name: string, expires: string) => ({
    rdapConformance: ["rdap_level_0"],
    objectClassName: "domain",
    ldhName: name,
    events: [
      { eventAction: "registration", eventDate: "2020-01-01T00:00:00Z" },
      { eventAction: "expiration", eventDate: expires },
    ],
  });

  const server: Server = createHttp((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const p = url.pathname;
    const handle = async () => {
      if (p.startsWith("/godaddy/")) return godaddy(req, res, p.slice("/godaddy".length));
      if (p.startsWith("/cloudflare/")) return cloudflare(req, res, p.slice("/cloudflare".length));
      if (p.startsWith("/limited/domain/")) {
        const limited = s.limited.remaining > 0;
        s.limited.hits.push({ at: Date.now(), status: limited ? 429 : 200 });
        if (limited) {
          s.limited.remaining--;
          res.writeHead(429, { "content-type": "application/rdap+json", "retry-after": String(s.limited.retryAfter) });
          return res.end(JSON.stringify({ errorCode: 429, title: "Too Many Requests" }));
        }
        return json(res, 200, rdapDomain(decodeURIComponent(p.split("/").at(-1)!), s.limited.expires));
      }
      if (p.startsWith("/broken/domain/")) {
        if (p.endsWith(".broken")) {
          res.writeHead(200, { "content-type": "text/html" });
          return res.end("<html><body>Service temporarily unavailable</body></html>");
        }
        // JSON, but an entity where a domain was asked for.
        return json(res, 200, { rdapConformance: ["rdap_level_0"], objectClassName: "entity", handle: "X" });
      }
      if (p === "/iana/dns.json") {
        if (s.iana.body === undefined) return json(res, 200, { hello: "not a bootstrap file" });
        return json(res, 200, s.iana.body);
      }
      json(res, 404, { error: "no such stand-in" });
    };
    handle().catch((err: Error) => json(res, 500, { error: err.message }));
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));

  const whoisServer: TcpServer = createTcp((socket) => {
    let q = "";
    socket.on("data", (b: Buffer) => {
      q += b.toString();
      if (!q.includes("\r\n")) return;
      const query = q.trim().toLowerCase();
      socket.end(s.whoisAnswers.get(query) ?? `No match for "${query.toUpperCase()}".\r\n`);
    });
  });
  const whoisPort = await freePort();
  await new Promise<void>((r) => whoisServer.listen(whoisPort, "127.0.0.1", r));

  return {
    ...s,
    url: `http://127.0.0.1:${port}`,
    whois: `127.0.0.1:${whoisPort}`,
    async stop() {
      await new Promise((r) => server.close(r));
      await new Promise((r) => whoisServer.close(r));
    },
  };
}
