import { Resolver } from "node:dns/promises";
import { parseResolver, type DnsCheck } from "./check-config.ts";
import { DeadlineError, withDeadline } from "@lag/async";
import { elapsedMs, type CheckOutcome } from "./outcome.ts";

/**
 * Asks one resolver (Pi-hole, the router) for one record and compares the answer with `expect`.
 * node:dns's `Resolver` is c-ares talking to the server directly, so the host's /etc/hosts and
 * nsswitch play no part: the answer is the resolver's own.
 */
export async function run(check: DnsCheck, now: () => Date): Promise<CheckOutcome> {
  const server = check.resolver ? serverOf(check.resolver) : undefined;
  const at = server ?? "the system resolver";
  const base = {
    check: check.name,
    kind: "dns" as const,
    target: `${check.query} ${check.type} @${server ?? "system"}`,
    time: now().toISOString(),
  };
  // One try and c-ares' own timeout as long as ours: a resolver that is down costs one timeout, not four.
  const resolver = new Resolver({ timeout: check.timeout, tries: 1 });
  if (server) resolver.setServers([server]);
  const started = performance.now();
  try {
    const answer = await withDeadline(check.timeout, (signal) => {
      signal.addEventListener("abort", () => resolver.cancel(), { once: true });
      return query(resolver, check.query, check.type);
    });
    const latencyMs = elapsedMs(started);
    const missing = (check.expect ?? []).filter((want) => !answer.some((got) => same(check.type, want, got)));
    const shown = answer.join(", ");
    return {
      ...base,
      ok: missing.length === 0,
      latencyMs,
      addresses: answer,
      detail: missing.length === 0 ? shown : `expected ${missing.join(", ")} in the answer, got ${shown}`,
    };
  } catch (err) {
    return { ...base, ok: false, detail: describeDnsError(err, check, at) };
  }
}

/** The answer as strings: addresses, names, MX exchanges by preference, TXT records joined. */
async function query(resolver: Resolver, name: string, type: DnsCheck["type"]): Promise<string[]> {
  switch (type) {
    case "A":
      return resolver.resolve4(name);
    case "AAAA":
      return resolver.resolve6(name);
    case "CNAME":
      return resolver.resolveCname(name);
    case "MX":
      return (await resolver.resolveMx(name)).sort((a, b) => a.priority - b.priority).map((mx) => mx.exchange);
    case "TXT":
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(""));
  }
}

/** IPv6 addresses have many spellings and DNS names are case-insensitive. */
function same(type: DnsCheck["type"], want: string, got: string): boolean {
  if (type === "AAAA") return canonicalIpv6(want) === canonicalIpv6(got);
  if (type === "CNAME" || type === "MX") return want.toLowerCase().replace(/\.$/, "") === got.toLowerCase().replace(/\.$/, "");
  return want === got;
}

function canonicalIpv6(address: string): string {
  try {
    return new URL(`http://[${address}]/`).hostname;
  } catch {
    return address; // Not an address at all: compared as written, and so reported missing.
  }
}

function serverOf(resolver: string): string {
  const { address, port } = parseResolver(resolver)!;
  return address.includes(":") ? `[${address}]:${port}` : `${address}:${port}`;
}

/** c-ares codes (node:dns exports them as dns.NOTFOUND, …) in the operator's words. */
function describeDnsError(err: unknown, check: DnsCheck, at: string): string {
  if (err instanceof DeadlineError) return `timed out after ${err.timeoutMs} ms waiting for ${at}`;
  const code = (err as { code?: string }).code;
  const record = `${check.type} record for ${check.query} at ${at}`;
  switch (code) {
    case "ENOTFOUND":
      return `no ${record} (the name does not exist)`;
    case "ENODATA":
      return `no ${record}`;
    case "ETIMEOUT":
      return `timed out after ${check.timeout} ms waiting for ${at}`;
    case "ECONNREFUSED":
      return `connection refused by ${at} (no DNS server listening there)`;
    case "ESERVFAIL":
      return `${at} failed to answer for ${check.query} (SERVFAIL)`;
    case "EREFUSED":
      return `${at} refused to answer for ${check.query} (REFUSED)`;
    default:
      return `looking up ${check.query} at ${at} failed: ${(err as Error).message ?? String(err)}`;
  }
}
