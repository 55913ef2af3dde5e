import { connect } from "node:net";
import { parseHostPort } from "../../../host-port.ts";
import { NotFoundError } from "./http.ts";

/** One WHOIS query (RFC 3912): the query and CRLF on port 43, the whole answer until the server closes. */
export function whoisQuery(server: string, query: string, timeoutMs: number): Promise<string> {
  const { host, port } = parseHostPort(server, 43);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`whois ${server}: no answer within ${timeoutMs} ms`)));
    socket.once("connect", () => socket.write(`${query}\r\n`));
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.once("error", (err) => reject(new Error(`whois ${server}: ${err.message}`)));
    socket.once("close", (hadError) => {
      if (!hadError) resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}

/** The WHOIS server IANA names for a TLD (the `refer:` or `whois:` line of its answer). */
export function referral(ianaAnswer: string): string | undefined {
  return ianaAnswer.match(/^\s*(?:refer|whois):\s*(\S+)/im)?.[1];
}

/** The keys registries put an expiry under (gTLD registries, DENIC-like, RIPE-like, Red.es, Nominet …). */
const EXPIRY_KEYS = [
  "registry expiry date",
  "registrar registration expiration date",
  "expiration date",
  "expiry date",
  "expire date",
  "expires on",
  "expires",
  "expire",
  "paid-till",
  "renewal date",
  "fecha de expiración",
  "fecha de caducidad",
  "validity",
];

const NOT_FOUND =
  /^\s*(no match|not found|no entries found|no data found|status:\s*(free|available)|%+\s*no such domain|the queried object does not exist)/im;

/** dd-mm-yyyy / dd.mm.yyyy (day first, as European registries write it) or anything Date reads. */
function parseDate(value: string): number {
  const v = value.trim().replace(/\s+\(.*\)$/, "");
  const dmy = v.match(/^(\d{1,2})[-./](\d{1,2})[-./](\d{4})(.*)$/);
  if (dmy)
    return Date.parse(
      `${dmy[3]}-${dmy[2]!.padStart(2, "0")}-${dmy[1]!.padStart(2, "0")}${dmy[4]?.trim() ? `T${dmy[4].trim()}` : "T00:00:00Z"}`,
    );
  const ymd = v.match(/^(\d{4})[./](\d{2})[./](\d{2})(.*)$/);
  if (ymd) return Date.parse(`${ymd[1]}-${ymd[2]}-${ymd[3]}T00:00:00Z`);
  return Date.parse(v);
}

/** The expiry in a WHOIS answer; throws not found when the registry says so, an error when no date can be read. */
export function parseWhoisExpiry(text: string, server: string): string {
  if (NOT_FOUND.test(text)) throw new NotFoundError(`whois ${server}: the registry has no such domain`);
  const lines = text.split(/\r?\n/);
  for (const key of EXPIRY_KEYS) {
    for (const line of lines) {
      const m = line.match(/^\s*([^:]+?)\s*:\s*(.+?)\s*$/);
      if (!m || m[1]!.toLowerCase() !== key) continue;
      const at = parseDate(m[2]!);
      if (!Number.isNaN(at)) return new Date(at).toISOString();
    }
  }
  throw new Error(`whois ${server}: no expiry date in the answer (${text.trim().split(/\r?\n/)[0]?.slice(0, 80) ?? "empty"})`);
}

/** Reads a domain's expiry over WHOIS: the TLD's server from the configuration, else the one IANA refers to. */
export async function whoisExpiry(
  domain: string,
  o: { servers: Readonly<Record<string, string>>; iana: string; timeoutMs: number },
): Promise<{ expiresAt: string; server: string }> {
  const tld = domain.toLowerCase().split(".").at(-1)!;
  const server =
    o.servers[tld] ??
    referral(
      await whoisQuery(o.iana, tld, o.timeoutMs).catch((err: Error) => {
        throw new Error(`${err.message}: could not ask which server serves .${tld} (set it.subscriptions.whois.servers.${tld})`);
      }),
    );
  if (!server) throw new Error(`no WHOIS server for .${tld}: ${o.iana} names none (set it.subscriptions.whois.servers.${tld})`);
  return { expiresAt: parseWhoisExpiry(await whoisQuery(server, domain, o.timeoutMs), server), server };
}
