/** An HTTP answer read as JSON (undefined when the body is not JSON), with the headers a caller needs. */
export interface JsonAnswer {
  status: number;
  body: unknown;
  /** The raw text, for an error message when the body is not what was expected. */
  text: string;
  retryAfterMs?: number;
}

/** Retry-After as seconds or an HTTP date (RFC 9110), in ms from now; undefined when absent or unreadable. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** One request with a deadline; the body parsed as JSON when it is. */
export async function getJson(
  url: string,
  o: { timeoutMs: number; method?: string; headers?: Record<string, string>; body?: unknown },
): Promise<JsonAnswer> {
  const res = await fetch(url, {
    method: o.method ?? "GET",
    headers: { accept: "application/json, application/rdap+json", ...(o.body ? { "content-type": "application/json" } : {}), ...o.headers },
    ...(o.body ? { body: JSON.stringify(o.body) } : {}),
    signal: AbortSignal.timeout(o.timeoutMs),
    redirect: "follow",
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = text === "" ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  const ra = retryAfterMs(res.headers.get("retry-after"));
  return { status: res.status, body, text, ...(ra !== undefined ? { retryAfterMs: ra } : {}) };
}

/** A source that asks to be left alone for a while (429, or GoDaddy's retryAfterSec). */
export class RateLimitedError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }
}

/** The source knows nothing of the name (RDAP 404, WHOIS "no match"): retrying soon will not help. */
export class NotFoundError extends Error {}
