import { readSecret } from "@lag/config";
import { z } from "zod";
import type { GoDaddyConfig } from "../config.ts";
import { getJson, NotFoundError, RateLimitedError, type JsonAnswer } from "../sources/http.ts";

type Config = z.infer<typeof GoDaddyConfig>;

/** GoDaddy's error body: `{code, message, retryAfterSec?}`. */
const GdError = z.object({ code: z.string(), message: z.string().optional(), retryAfterSec: z.number().optional() });
const GdDomain = z.object({
  domain: z.string(),
  expires: z.string().optional(),
  renewAuto: z.boolean().optional(),
  status: z.string().optional(),
});

/** The account may not use the domains API (fewer than 10 domains and no paid plan): read elsewhere, renew by hand. */
export class AccessDeniedError extends Error {}

/** What GoDaddy answers a renewal with (its `total` is in micro-units of the currency; the register keeps its own cost). */
export interface GdRenewal {
  orderId?: number;
}

/**
 * GoDaddy's domains API (v1): read a domain (`GET /v1/domains/{domain}`) and renew it
 * (`POST /v1/domains/{domain}/renew`). Authorisation is `sso-key KEY:SECRET`, both read from their
 * secret files at each call and never put in an error.
 */
export class GoDaddy {
  constructor(private readonly o: { cfg: Config; timeoutMs: number }) {}

  private headers(): Record<string, string> {
    return { authorization: `sso-key ${readSecret(this.o.cfg.key)}:${readSecret(this.o.cfg.secret)}` };
  }

  async domain(name: string): Promise<{ expiresAt?: string; renewAuto?: boolean; status?: string }> {
    const res = await this.call("GET", `/v1/domains/${encodeURIComponent(name)}`);
    const d = GdDomain.safeParse(res.body);
    if (!d.success) throw new Error(`GoDaddy: unexpected answer for ${name}: ${res.text.slice(0, 120)}`);
    const at = d.data.expires ? Date.parse(d.data.expires) : Number.NaN;
    return {
      ...(Number.isNaN(at) ? {} : { expiresAt: new Date(at).toISOString() }),
      ...(d.data.renewAuto !== undefined ? { renewAuto: d.data.renewAuto } : {}),
      ...(d.data.status ? { status: d.data.status } : {}),
    };
  }

  async renew(name: string, years: number): Promise<GdRenewal> {
    const res = await this.call("POST", `/v1/domains/${encodeURIComponent(name)}/renew`, { period: years });
    const b = (res.body ?? {}) as GdRenewal;
    return b.orderId !== undefined ? { orderId: b.orderId } : {};
  }

  private async call(method: string, path: string, body?: unknown): Promise<JsonAnswer> {
    const res = await getJson(`${this.o.cfg.url.replace(/\/$/, "")}${path}`, {
      method,
      timeoutMs: this.o.timeoutMs,
      headers: this.headers(),
      ...(body ? { body } : {}),
    });
    if (res.status >= 200 && res.status < 300) return res;
    const e = GdError.safeParse(res.body);
    const why = e.success ? `${e.data.code}${e.data.message ? `: ${e.data.message}` : ""}` : `HTTP ${res.status}`;
    if (res.status === 429 || e.data?.code === "TOO_MANY_REQUESTS") {
      const after = e.data?.retryAfterSec !== undefined ? e.data.retryAfterSec * 1000 : res.retryAfterMs;
      throw new RateLimitedError(`GoDaddy ${method} ${path}: rate limited (${why})`, after);
    }
    if (res.status === 403 && e.data?.code === "ACCESS_DENIED")
      throw new AccessDeniedError(
        `GoDaddy refuses this account the domains API (${why}); it serves accounts with 10+ domains or a paid plan`,
      );
    if (res.status === 404) throw new NotFoundError(`GoDaddy ${method} ${path}: ${why}`);
    throw new Error(`GoDaddy ${method} ${path}: ${why}`);
  }
}
