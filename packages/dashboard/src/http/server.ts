import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "@lag/log";

export interface Request {
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingMessage["headers"];
  /** The client's address (X-Forwarded-For's first when the proxy is trusted). */
  address: string;
  /** Whether the request came over TLS (X-Forwarded-Proto when the proxy is trusted). */
  secure: boolean;
  /** The body as JSON or as a form, at most 64 KiB; throws HttpError 400/413. */
  body(): Promise<Record<string, unknown>>;
  raw: { req: IncomingMessage; res: ServerResponse };
}

export interface Response {
  status?: number;
  headers?: Record<string, string | string[]>;
  /** A string is sent as it is (give its content-type); anything else as JSON. */
  body?: unknown;
}

/** An answer that is an error: its status and a sentence (sent as `{error}` JSON). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** A handler returns its answer, or undefined when it answered itself (server-sent events). */
export type Handler = (req: Request) => Promise<Response | undefined> | Response | undefined;

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: Handler;
}

const MAX_BODY = 64 * 1024;

/** What every answer carries: no framing, no sniffing, no referrer across sites, only our own scripts and styles. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};

/**
 * A small HTTP router over node:http: routes by method and `/path/:param`, bodies as JSON or
 * forms with a size limit, errors as `{error}` with their status, the security headers on every
 * answer, and a log line for every 5xx.
 */
export class Router {
  private readonly routes: Route[] = [];

  constructor(private readonly o: { log: Logger; trustProxy: boolean }) {}

  on(method: string, path: string, handler: Handler): this {
    const keys: string[] = [];
    const source = path.replace(/:([a-z]+)/gi, (_m, k: string) => {
      keys.push(k);
      return "([^/]+)";
    });
    const pattern = new RegExp(`^${source}$`);
    this.routes.push({ method, pattern, keys, handler });
    return this;
  }

  async listen(host: string, port: number): Promise<{ server: Server; port: number }> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 5_000;
    await listenOn(server, host, port, "dashboard.listen");
    return { server, port: (server.address() as AddressInfo).port };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const method = req.method ?? "GET";
    let route: Route | undefined;
    let match: RegExpExecArray | null = null;
    let pathMatched = false;
    for (const r of this.routes) {
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      pathMatched = true;
      if (r.method === method || (method === "HEAD" && r.method === "GET")) {
        route = r;
        match = m;
        break;
      }
    }
    const forwarded = this.o.trustProxy
      ? String(req.headers["x-forwarded-for"] ?? "")
          .split(",")[0]
          ?.trim()
      : undefined;
    const request: Request = {
      method,
      path: url.pathname,
      params: Object.fromEntries((route?.keys ?? []).map((k, i) => [k, decodeURIComponent(match![i + 1]!)])),
      query: url.searchParams,
      headers: req.headers,
      address: forwarded || req.socket.remoteAddress || "?",
      secure: "encrypted" in req.socket || (this.o.trustProxy && req.headers["x-forwarded-proto"] === "https"),
      body: () => readBody(req),
      raw: { req, res },
    };
    try {
      if (!route) throw new HttpError(pathMatched ? 405 : 404, pathMatched ? `${method} is not allowed here` : `no page ${url.pathname}`);
      const answer = await route.handler(request);
      if (answer) send(res, answer);
    } catch (err) {
      if (err instanceof HttpError) send(res, { status: err.status, headers: err.headers, body: { error: err.message } });
      else {
        this.o.log.error({ err, path: url.pathname, method }, "request failed");
        send(res, { status: 500, body: { error: "the page failed to answer; its log says why" } });
      }
    }
  }
}

function send(res: ServerResponse, a: Response): void {
  if (res.headersSent) return void res.end();
  const text = typeof a.body === "string" ? a.body : a.body === undefined ? "" : JSON.stringify(a.body);
  const type = typeof a.body === "string" ? {} : { "content-type": "application/json; charset=utf-8" };
  res.writeHead(a.status ?? 200, { ...SECURITY_HEADERS, ...type, ...a.headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > MAX_BODY) throw new HttpError(413, `the body is larger than ${MAX_BODY / 1024} KiB`);
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (text === "") return {};
  const type = String(req.headers["content-type"] ?? "");
  if (type.startsWith("application/x-www-form-urlencoded")) return Object.fromEntries(new URLSearchParams(text));
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // below
  }
  throw new HttpError(400, "the body is neither a JSON object nor a form");
}

/** `{...SECURITY_HEADERS}` for an answer written by hand (server-sent events). */
export function securityHeaders(): Record<string, string> {
  return { ...SECURITY_HEADERS };
}

/** Listens, or throws a sentence naming the setting to change when the address is taken or not this machine's. */
export function listenOn(server: Server, host: string, port: number, setting: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE")
        reject(new Error(`${host}:${port} is in use by another program: set ${setting}.port (or stop that program)`));
      else if (err.code === "EADDRNOTAVAIL") reject(new Error(`${host} is not an address of this machine: set ${setting}.host`));
      else if (err.code === "EACCES") reject(new Error(`port ${port} needs privileges: set ${setting}.port above 1023`));
      else reject(err);
    });
    server.listen(port, host, () => resolve());
  });
}
