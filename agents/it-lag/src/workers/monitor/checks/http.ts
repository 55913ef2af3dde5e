import { readFile } from "node:fs/promises";
import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest, type RequestOptions as HttpsRequestOptions } from "node:https";
import { isIP } from "node:net";
import type { HttpCheck } from "./check-config.ts";
import { withDeadline } from "@lag/async";
import { describeNetworkError } from "./network-errors.ts";
import { elapsedMs, type CheckOutcome } from "./outcome.ts";

/** A health page fits in far less; a bodyMatch against a huge page looks at its first MiB only. */
const BODY_LIMIT = 1024 * 1024;

interface Response {
  status: number;
  statusText: string;
  /** The (first MiB of the) body, read only when a bodyMatch needs it. */
  body?: string;
  /** Until the headers, or until the body when it is read: connect, TLS and server time included. */
  latencyMs: number;
}

/**
 * One HTTP(S) request, without following redirects (a 301 to the login page still says the
 * service is up) and on a fresh connection each time, so the latency includes connect and TLS.
 */
export async function run(check: HttpCheck, now: () => Date): Promise<CheckOutcome> {
  const base = {
    check: check.name,
    kind: "http" as const,
    target: check.hostHeader ? `${check.url} (Host: ${check.hostHeader})` : check.url,
    time: now().toISOString(),
  };
  try {
    const options = await requestOptions(check);
    const res = await withDeadline(check.timeout, (signal) => exchange(check.url, { ...options, signal }, check.bodyMatch !== undefined));
    const problem = statusProblem(check.expectStatus, res.status) ?? bodyProblem(check.bodyMatch, res.body);
    const summary = `${res.status} ${res.statusText}`.trim();
    return {
      ...base,
      ok: problem === undefined,
      latencyMs: res.latencyMs,
      httpStatus: res.status,
      detail: problem ?? (check.bodyMatch ? `${summary}, body matches /${check.bodyMatch}/` : summary),
    };
  } catch (err) {
    return { ...base, ok: false, detail: describeNetworkError(err) };
  }
}

async function requestOptions(check: HttpCheck): Promise<HttpsRequestOptions> {
  const url = new URL(check.url);
  const https = url.protocol === "https:";
  // The connection goes to the URL's address; Host and SNI carry the virtual host, which is how
  // Traefik picks both the router and the certificate.
  const vhost = check.hostHeader ?? url.host;
  const sni = check.hostHeader ? check.hostHeader.replace(/:\d+$/, "") : url.hostname;
  const options: HttpsRequestOptions = {
    method: check.method,
    hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
    port: url.port || (https ? 443 : 80),
    path: `${url.pathname}${url.search}`,
    headers: { "user-agent": "lag-monitor", accept: "*/*", ...check.headers, host: vhost },
    agent: false,
  };
  if (https) {
    // SNI may not be an IP address (RFC 6066); without a name the server picks its default certificate.
    if (isIP(sni.replace(/^\[(.*)\]$/, "$1")) === 0) options.servername = sni;
    options.rejectUnauthorized = !check.insecure;
    if (check.ca) options.ca = await readCa(check.ca);
  }
  return options;
}

async function readCa(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new Error(`cannot read the CA file ${path}: ${(err as Error).message}`);
  }
}

function exchange(url: string, options: RequestOptions, readBody: boolean): Promise<Response> {
  const send = url.startsWith("https:") ? httpsRequest : httpRequest;
  const started = performance.now();
  return new Promise<Response>((resolve, reject) => {
    const req = send(options, (res) => {
      const head = { status: res.statusCode ?? 0, statusText: res.statusMessage ?? "" };
      if (!readBody) {
        // The status is the answer; the body is not downloaded (destroying it ends the connection).
        resolve({ ...head, latencyMs: elapsedMs(started) });
        res.destroy();
        return;
      }
      readLimited(res).then((body) => resolve({ ...head, body, latencyMs: elapsedMs(started) }), reject);
    });
    req.on("error", reject);
    req.end();
  });
}

function readLimited(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => resolve(Buffer.concat(chunks).toString("utf8"));
    res.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= BODY_LIMIT) {
        done();
        res.destroy();
      }
    });
    res.on("end", done);
    res.on("error", reject);
  });
}

export function statusProblem(expect: HttpCheck["expectStatus"], status: number): string | undefined {
  if (expect === undefined) return status >= 200 && status <= 399 ? undefined : `expected status 200-399, got ${status}`;
  const list = Array.isArray(expect) ? expect : [expect];
  if (list.includes(status)) return undefined;
  return `expected status ${list.length === 1 ? list[0] : `one of ${list.join(", ")}`}, got ${status}`;
}

function bodyProblem(pattern: string | undefined, body: string | undefined): string | undefined {
  if (pattern === undefined) return undefined;
  return new RegExp(pattern).test(body ?? "") ? undefined : `body does not match /${pattern}/`;
}
