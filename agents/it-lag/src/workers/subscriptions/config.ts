import { z } from "zod";
import { duration, SecretRef } from "@lag/config";
import { HostName, SubscriptionInput } from "@lag/contracts";

export const DEFAULT_LEAD_DAYS = [30, 14, 7, 3, 1];

/** IANA's RDAP bootstrap for DNS: which registry's RDAP server answers for which TLD. */
export const IANA_DNS_BOOTSTRAP = "https://data.iana.org/rdap/dns.json";

const Url = z.url({ protocol: /^https?$/ });

export const GoDaddyConfig = z.strictObject({
  /** The production API; OTE (`https://api.ote-godaddy.com`) for trials. */
  url: Url.default("https://api.godaddy.com"),
  key: SecretRef,
  secret: SecretRef,
  /** Renew through the API (only accounts with 10+ domains or a paid plan may; others get 403 ACCESS_DENIED and a task). */
  renew: z.boolean().default(true),
});

export const CloudflareConfig = z.strictObject({
  url: Url.default("https://api.cloudflare.com/client/v4"),
  accountId: z.string().min(1),
  /** An API token with Account › Registrar read (and edit, to turn auto-renew on). */
  token: SecretRef,
});

export const SubscriptionsConfig = z
  .strictObject({
    /** The host its alerts are raised for (the machine the register belongs to). Default: `it.monitor.host`. */
    host: HostName.optional(),
    /** The register's seed: added at start; a field changed here since it was last applied is applied again (what people changed elsewhere stays). */
    items: z.array(SubscriptionInput).default([]),
    /** Days before an expiry or notice date at which to warn (per item: `leadDays`). */
    leadDays: z.array(z.number().int().positive()).min(1).default(DEFAULT_LEAD_DAYS),
    /** How often each source is read when the last read went well. */
    checkEvery: duration.default(12 * 3_600_000),
    /** After a failed read, wait this long, doubling up to `retryMax`; the failure is reported once, after `reportAfter` attempts. */
    retryMin: duration.default(60_000),
    retryMax: duration.default(6 * 3_600_000),
    reportAfter: z.number().int().positive().default(3),
    /** How often the register is looked at (due sources, lead times, renewal tasks). */
    tick: duration.default(60_000),
    /** Sources read at once. */
    concurrency: z.number().int().positive().max(16).default(2),
    timeout: duration.default(15_000),
    rdap: z
      .strictObject({
        /** Where `lag subs bootstrap --refresh` fetches IANA's file from. */
        bootstrapUrl: Url.default(IANA_DNS_BOOTSTRAP),
        /** RDAP base URLs by TLD, before the bootstrap (a registry not in IANA's data, a test server). */
        servers: z.record(z.string().min(1), Url).default({}),
        /** Longest wait a 429's Retry-After is honoured for within one read; longer, the read is retried later. */
        maxRetryAfter: duration.default(60_000),
      })
      .prefault({}),
    whois: z
      .strictObject({
        /** WHOIS servers by TLD (`es: whois.nic.es`, `host:port` allowed); others are asked of whois.iana.org. */
        servers: z.record(z.string().min(1), z.string().min(1)).default({}),
        /** The server that says which WHOIS server serves a TLD (its `refer:` line). */
        iana: z.string().min(1).default("whois.iana.org"),
      })
      .prefault({}),
    providers: z
      .strictObject({
        godaddy: GoDaddyConfig.optional(),
        cloudflare: CloudflareConfig.optional(),
      })
      .prefault({}),
    /** How long CEO_LAG (or a person) has to decide a renewal. */
    approvalTimeout: duration.default(3 * 86_400_000),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.items.forEach((item, i) => {
      if (seen.has(item.id)) ctx.addIssue({ code: "custom", message: `the id ${item.id} is used twice`, path: ["items", i, "id"] });
      seen.add(item.id);
      if (item.renewal === "approval" && !item.cost)
        ctx.addIssue({ code: "custom", message: "a renewal through approval needs its cost", path: ["items", i, "cost"] });
    });
  });
export type SubscriptionsConfig = z.infer<typeof SubscriptionsConfig>;
