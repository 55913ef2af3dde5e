import { readSecret } from "@lag/config";
import { z } from "zod";
import type { CloudflareConfig } from "../config.ts";
import { getJson, NotFoundError, RateLimitedError, type JsonAnswer } from "../sources/http.ts";

type Config = z.infer<typeof CloudflareConfig>;

/** Cloudflare's v4 envelope: `{success, errors: [{code, message}], result}`. */
const Envelope = z.object({
  success: z.boolean(),
  errors: z.array(z.object({ code: z.number(), message: z.string() })).default([]),
  result: z.unknown(),
});
const RegistrarDomain = z.object({ name: z.string().optional(), expires_at: z.string().optional(), auto_renew: z.boolean().optional() });

/**
 * Cloudflare Registrar's API: read a domain (`GET /accounts/{id}/registrar/domains/{name}`: its
 * `expires_at` and `auto_renew`) and turn auto-renew on or off (`PUT` the same path). It cannot
 * renew on demand: Cloudflare renews by itself when auto-renew is on.
 */
export class Cloudflare {
  constructor(private readonly o: { cfg: Config; timeoutMs: number }) {}

  async domain(name: string): Promise<{ expiresAt?: string; autoRenew?: boolean }> {
    const d = RegistrarDomain.safeParse(await this.call("GET", name));
    if (!d.success) throw new Error(`Cloudflare: unexpected registrar answer for ${name}`);
    const at = d.data.expires_at ? Date.parse(d.data.expires_at) : Number.NaN;
    return {
      ...(Number.isNaN(at) ? {} : { expiresAt: new Date(at).toISOString() }),
      ...(d.data.auto_renew !== undefined ? { autoRenew: d.data.auto_renew } : {}),
    };
  }

  async setAutoRenew(name: string, on: boolean): Promise<void> {
    await this.call("PUT", name, { auto_renew: on });
  }

  private async call(method: string, name: string, body?: unknown): Promise<unknown> {
    const path = `/accounts/${encodeURIComponent(this.o.cfg.accountId)}/registrar/domains/${encodeURIComponent(name)}`;
    const res: JsonAnswer = await getJson(`${this.o.cfg.url.replace(/\/$/, "")}${path}`, {
      method,
      timeoutMs: this.o.timeoutMs,
      headers: { authorization: `Bearer ${readSecret(this.o.cfg.token)}` },
      ...(body ? { body } : {}),
    });
    const env = Envelope.safeParse(res.body);
    const why =
      env.success && env.data.errors.length > 0 ? env.data.errors.map((e) => `${e.code} ${e.message}`).join("; ") : `HTTP ${res.status}`;
    if (res.status === 429) throw new RateLimitedError(`Cloudflare ${method} ${name}: rate limited (${why})`, res.retryAfterMs);
    if (res.status === 404) throw new NotFoundError(`Cloudflare ${method} ${name}: ${why}`);
    if (res.status < 200 || res.status >= 300 || !env.success || !env.data.success) throw new Error(`Cloudflare ${method} ${name}: ${why}`);
    return env.data.result;
  }
}
