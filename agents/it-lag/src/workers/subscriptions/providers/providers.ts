import type { SubscriptionsConfig } from "../config.ts";
import { Cloudflare } from "./cloudflare.ts";
import { AccessDeniedError, GoDaddy } from "./godaddy.ts";

/** What the register needs of a provider's API: the expiry, and (where the API allows) renewal and auto-renew. */
export interface ProviderAdapter {
  expiry(name: string): Promise<string | undefined>;
  /** Renews for `years`; absent when the API cannot (Cloudflare, NoIP). Returns what was done, for the audit trail. */
  renew?: (name: string, years: number) => Promise<string>;
  setAutoRenew?: (name: string, on: boolean) => Promise<void>;
}

/**
 * The provider adapters configured: GoDaddy (read, renew), Cloudflare (read, auto-renew). NoIP has
 * no API: its hostnames are kept from its mails and confirmed by the link in them.
 */
export class Providers {
  private readonly adapters = new Map<string, ProviderAdapter>();

  constructor(cfg: SubscriptionsConfig) {
    const { godaddy, cloudflare } = cfg.providers;
    if (godaddy) {
      const api = new GoDaddy({ cfg: godaddy, timeoutMs: cfg.timeout });
      this.adapters.set("godaddy", {
        expiry: async (name) => (await api.domain(name)).expiresAt,
        ...(godaddy.renew
          ? {
              renew: async (name, years) => {
                const r = await api.renew(name, years);
                const order = r.orderId === undefined ? "" : ` (order ${r.orderId})`;
                return `renewed ${name} for ${years} year(s) through GoDaddy's API${order}`;
              },
            }
          : {}),
      });
    }
    if (cloudflare) {
      const api = new Cloudflare({ cfg: cloudflare, timeoutMs: cfg.timeout });
      this.adapters.set("cloudflare", {
        expiry: async (name) => (await api.domain(name)).expiresAt,
        setAutoRenew: (name, on) => api.setAutoRenew(name, on),
      });
    }
  }

  reader(provider: string): ProviderAdapter | undefined {
    return this.adapters.get(provider);
  }

  /** The account may not use this API (GoDaddy's 403 ACCESS_DENIED): fall back to RDAP and a task. */
  isAccessDenied(err: unknown): boolean {
    return err instanceof AccessDeniedError;
  }
}
