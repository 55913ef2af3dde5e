import { sleep } from "@lag/async";
import { z } from "zod";
import { getJson, NotFoundError, RateLimitedError } from "./http.ts";

/** The parts of an RDAP domain answer (RFC 9083) read here; the rest is left alone. */
const RdapDomain = z.object({
  objectClassName: z.literal("domain"),
  ldhName: z.string().optional(),
  events: z.array(z.object({ eventAction: z.string(), eventDate: z.string() })).default([]),
});

/** An RDAP answer that says nothing of the expiry (some ccTLD registries): the caller may try WHOIS. */
export class NoExpiryError extends Error {}

export interface RdapExpiry {
  expiresAt: string;
  url: string;
}

/**
 * Reads a domain's expiry from RDAP: the `expiration` event of `GET <base>domain/<name>`. A 429
 * is waited out (its Retry-After, up to `maxRetryAfterMs`, twice at most) and otherwise thrown as
 * rate limited; 404 is not found; an answer that is not an RDAP domain object says so.
 */
export async function rdapExpiry(
  domain: string,
  bases: readonly string[],
  o: { timeoutMs: number; maxRetryAfterMs: number; signal?: AbortSignal },
): Promise<RdapExpiry> {
  let last: Error = new Error("no RDAP server for this TLD");
  for (const base of bases) {
    const url = `${base.endsWith("/") ? base : `${base}/`}domain/${encodeURIComponent(domain.toLowerCase())}`;
    try {
      return await readOne(url, o);
    } catch (err) {
      // Not found, no expiry and rate limits are the registry's answer: another of its servers says the same.
      if (err instanceof NotFoundError || err instanceof NoExpiryError || err instanceof RateLimitedError) throw err;
      last = err as Error;
    }
  }
  throw last;
}

async function readOne(url: string, o: { timeoutMs: number; maxRetryAfterMs: number; signal?: AbortSignal }): Promise<RdapExpiry> {
  for (let attempt = 0; ; attempt++) {
    const res = await getJson(url, { timeoutMs: o.timeoutMs });
    if (res.status === 429) {
      const wait = res.retryAfterMs;
      if (wait === undefined || wait > o.maxRetryAfterMs || attempt >= 2)
        throw new RateLimitedError(
          `${url}: rate limited (HTTP 429${wait !== undefined ? `, retry after ${Math.ceil(wait / 1000)} s` : ""})`,
          wait,
        );
      await sleep(wait, o.signal);
      continue;
    }
    if (res.status === 404) throw new NotFoundError(`${url}: the registry has no such domain (HTTP 404)`);
    if (res.status !== 200) throw new Error(`${url}: HTTP ${res.status}${describeError(res.body)}`);
    const parsed = RdapDomain.safeParse(res.body);
    if (!parsed.success)
      throw new Error(
        `${url}: not an RDAP domain answer (${res.body === undefined ? "not JSON" : (parsed.error.issues[0]?.path.join(".") || "body") + ": " + parsed.error.issues[0]?.message})`,
      );
    const exp = parsed.data.events.find((e) => e.eventAction.toLowerCase() === "expiration");
    if (!exp) throw new NoExpiryError(`${url}: the answer has no expiration event`);
    const at = Date.parse(exp.eventDate);
    if (Number.isNaN(at)) throw new Error(`${url}: unreadable expiration date ${JSON.stringify(exp.eventDate)}`);
    return { expiresAt: new Date(at).toISOString(), url };
  }
}

/** RDAP error bodies carry a title and description (RFC 9083 §6). */
function describeError(body: unknown): string {
  const b = body as { title?: string; description?: string[] } | undefined;
  const words = [b?.title, ...(b?.description ?? [])].filter(Boolean);
  return words.length > 0 ? `: ${words.join(" — ")}` : "";
}
