import { readFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { z } from "zod";
import { bootstrap } from "../store/schema.ts";
import { getJson } from "./http.ts";

type Db = BetterSQLite3Database<Record<string, unknown>>;

/** RFC 9224's bootstrap file: `services` pairs a list of TLDs with the base URLs of their RDAP server. */
export const BootstrapFile = z.object({
  description: z.string().optional(),
  publication: z.string(),
  version: z.string().optional(),
  services: z.array(z.tuple([z.array(z.string()), z.array(z.string())])),
});
export type BootstrapFile = z.infer<typeof BootstrapFile>;

const SHIPPED = new URL("./iana-dns.json", import.meta.url);

export interface BootstrapInfo {
  origin: "shipped" | "fetched";
  publication: string;
  url: string;
  tlds: number;
  fetchedAt?: string;
}

/**
 * Which registry answers RDAP for which TLD: IANA's bootstrap data, the copy shipped with LAG until
 * one is fetched (`lag subs bootstrap --refresh`), then the fetched one, kept in the worker's store.
 */
export class RdapBootstrap {
  private byTld = new Map<string, string[]>();
  private info!: BootstrapInfo;

  constructor(
    private readonly o: {
      db: Db;
      url: string;
      /** RDAP base URLs by TLD that win over the bootstrap (it.subscriptions.rdap.servers). */
      overrides: Readonly<Record<string, string>>;
    },
  ) {
    const kept = o.db.select().from(bootstrap).where(eq(bootstrap.name, "dns")).get();
    const fetched = kept ? BootstrapFile.safeParse(JSON.parse(kept.body)) : undefined;
    if (kept && fetched?.success) this.use(fetched.data, "fetched", kept.url, new Date(kept.fetchedAt).toISOString());
    else this.use(BootstrapFile.parse(JSON.parse(readFileSync(SHIPPED, "utf8"))), "shipped", SHIPPED.pathname);
  }

  private use(file: BootstrapFile, origin: BootstrapInfo["origin"], url: string, fetchedAt?: string): void {
    const byTld = new Map<string, string[]>();
    for (const [tlds, urls] of file.services) {
      // HTTPS first, as RFC 9224 asks when a registry offers both.
      const ordered = [...urls].sort((a, b) => Number(b.startsWith("https:")) - Number(a.startsWith("https:")));
      for (const t of tlds) byTld.set(t.toLowerCase(), ordered);
    }

    this.byTld = byTld;
    this.info = { origin, publication: file.publication, url, tlds: byTld.size, ...(fetchedAt ? { fetchedAt } : {}) };
  }

  /** The RDAP base URLs for a domain: its longest matching label suffix (RFC 9224), a configured one first; or none. */
  serversFor(domain: string): string[] {
    const labels = domain.toLowerCase().replace(/\.$/, "").split(".");
    for (let i = 1; i < labels.length; i++) {
      const suffix = labels.slice(i).join(".");
      const configured = this.o.overrides[suffix];
      if (configured) return [configured];
      const hit = this.byTld.get(suffix);
      if (hit) return hit;
    }
    return [];
  }

  current(): BootstrapInfo {
    return this.info;
  }

  /** Fetches IANA's file anew; a bad answer leaves the copy in use as it is and throws why. */
  async refresh(now: Date, timeoutMs: number): Promise<BootstrapInfo> {
    const res = await getJson(this.o.url, { timeoutMs });
    if (res.status !== 200) throw new Error(`${this.o.url} answered HTTP ${res.status}`);
    const parsed = BootstrapFile.safeParse(res.body);
    if (!parsed.success) throw new Error(`${this.o.url} is not an RDAP bootstrap file: ${parsed.error.issues[0]?.message ?? "bad shape"}`);
    const body = JSON.stringify(parsed.data);
    this.o.db
      .insert(bootstrap)
      .values({ name: "dns", url: this.o.url, body, fetchedAt: now.getTime() })
      .onConflictDoUpdate({ target: bootstrap.name, set: { url: this.o.url, body, fetchedAt: now.getTime() } })
      .run();
    this.use(parsed.data, "fetched", this.o.url, now.toISOString());
    return this.info;
  }
}
