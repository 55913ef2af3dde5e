import { withDeadline } from "@lag/async";
import type { DateSource, Subscription } from "@lag/contracts";
import { parseHostPort } from "../../host-port.ts";
import { readCertificate } from "../../tls-certificate.ts";
import type { SubscriptionsConfig } from "./config.ts";
import type { Providers } from "./providers/providers.ts";
import type { RdapBootstrap } from "./sources/bootstrap.ts";
import { NoExpiryError, rdapExpiry } from "./sources/rdap.ts";
import { whoisExpiry } from "./sources/whois.ts";

export type Reading =
  | { kind: DateSource; expiresAt: string; detail: string }
  /** Nothing to read: the date is kept by hand, or comes by mail (NoIP). */
  | { kind: "none"; detail: string };

/**
 * Where each subscription's expiry is read. A domain: the provider's API when one is configured
 * (GoDaddy, Cloudflare), else — or when the account may not use it — RDAP through IANA's bootstrap,
 * else WHOIS (a TLD without RDAP, or an RDAP answer without an expiration event). A certificate: by
 * connecting. A NoIP hostname: from its confirmation mails. A plan: by hand.
 */
export class ExpiryReader {
  constructor(private readonly o: { cfg: SubscriptionsConfig; bootstrap: RdapBootstrap; providers: Providers; signal: AbortSignal }) {}

  async read(s: Subscription): Promise<Reading> {
    const choice = s.source === "auto" ? this.auto(s) : s.source;
    switch (choice) {
      case "manual":
        return { kind: "none", detail: "kept by hand" };
      case "mail":
        return { kind: "none", detail: "read from the provider's mails" };
      case "tls":
        return this.tls(s);
      case "provider":
        return this.provider(s, false);
      case "rdap":
        return this.rdap(s, false);
      case "whois":
        return this.whois(s);
      default:
        return this.provider(s, true);
    }
  }

  private auto(s: Subscription): Subscription["source"] {
    if (s.kind === "certificate") return "tls";
    if (s.kind === "hostname") return "mail";
    if (s.kind === "plan") return "manual";
    return "auto";
  }

  /** The provider's API; with `fallback`, RDAP when there is no adapter or the account may not use it. */
  private async provider(s: Subscription, fallback: boolean): Promise<Reading> {
    const adapter = this.o.providers.reader(s.provider);
    if (!adapter) {
      if (fallback) return this.rdap(s, true);
      throw new Error(`no API adapter for ${s.provider} is configured (it.subscriptions.providers)`);
    }
    try {
      const r = await adapter.expiry(s.name);
      if (!r) throw new Error(`${s.provider} shows no expiry for ${s.name}`);
      return { kind: "provider", expiresAt: r, detail: `${s.provider} API` };
    } catch (err) {
      if (fallback && this.o.providers.isAccessDenied(err)) return this.rdap(s, true);
      throw err;
    }
  }

  private async rdap(s: Subscription, fallback: boolean): Promise<Reading> {
    const servers = this.o.bootstrap.serversFor(s.name);
    if (servers.length === 0) {
      if (fallback) return this.whois(s);
      throw new Error(`no RDAP service for ${s.name} in IANA's bootstrap data`);
    }
    try {
      const r = await rdapExpiry(s.name, servers, {
        timeoutMs: this.o.cfg.timeout,
        maxRetryAfterMs: this.o.cfg.rdap.maxRetryAfter,
        signal: this.o.signal,
      });
      return { kind: "rdap", expiresAt: r.expiresAt, detail: r.url };
    } catch (err) {
      if (fallback && err instanceof NoExpiryError) return this.whois(s);
      throw err;
    }
  }

  private async whois(s: Subscription): Promise<Reading> {
    const r = await whoisExpiry(s.name, { ...this.o.cfg.whois, timeoutMs: this.o.cfg.timeout });
    return { kind: "whois", expiresAt: r.expiresAt, detail: r.server };
  }

  private async tls(s: Subscription): Promise<Reading> {
    // A certificate subscription is named `host:port`; 443 when the port is left out.
    const target = parseHostPort(s.name, 443);
    const hs = await withDeadline(this.o.cfg.timeout, (signal) => readCertificate(target, signal));
    return { kind: "tls", expiresAt: hs.notAfter.toISOString(), detail: `${target.host}:${target.port} ${hs.subject}` };
  }
}
