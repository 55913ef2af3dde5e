/**
 * Whether the receiving server vouches for a mail's sender: its `Authentication-Results` header
 * (RFC 8601) shows DMARC pass for the From domain, or DKIM pass with a signing domain aligned to it.
 * Only the topmost header with the server's own authserv-id counts — the receiving server adds it
 * on top of whatever the sender wrote; headers claiming other servers are the sender's word.
 */
export interface Verdict {
  ok: boolean;
  why: string;
}

interface Result {
  method: string;
  result: string;
  props: Record<string, string>;
}

/** `mail.example.es; dkim=pass header.d=noip.com; dmarc=pass (p=reject) header.from=noip.com` → its id and results. */
export function parseAuthResults(value: string): { authservId: string; results: Result[] } {
  const clean = value.replace(/\r?\n[ \t]+/g, " ").replace(/\([^()]*\)/g, " ");
  const [head = "", ...parts] = clean.split(";");
  const authservId = head.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
  const results: Result[] = [];
  for (const part of parts) {
    const tokens = part.trim().split(/\s+/).filter(Boolean);
    const first = tokens.shift();
    const m = first?.match(/^([a-z0-9_-]+)=([a-z]+)$/i);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const t of tokens) {
      const eq = t.indexOf("=");
      if (eq > 0)
        props[t.slice(0, eq).toLowerCase()] = t
          .slice(eq + 1)
          .replace(/^"|"$/g, "")
          .toLowerCase();
    }
    results.push({ method: m[1]!.toLowerCase(), result: m[2]!.toLowerCase(), props });
  }
  return { authservId, results };
}

/** Relaxed alignment: the same organisational domain, the signer's or a subdomain of it. */
function aligned(fromDomain: string, other: string | undefined): boolean {
  if (!other) return false;
  const d = other.replace(/^@/, "").replace(/^.*@/, "");
  return fromDomain === d || fromDomain.endsWith(`.${d}`) || d.endsWith(`.${fromDomain}`);
}

/** `headers`: the values of every Authentication-Results header, topmost first. */
export function authenticate(headers: readonly string[], fromAddress: string, authservId: string): Verdict {
  const fromDomain = fromAddress.split("@")[1]?.toLowerCase();
  if (!fromDomain) return { ok: false, why: "no sender address" };
  const own = headers.map(parseAuthResults).find((h) => h.authservId === authservId.toLowerCase());
  if (!own) return { ok: false, why: `no Authentication-Results from ${authservId}` };
  for (const r of own.results) {
    if (r.method === "dmarc" && r.result === "pass" && aligned(fromDomain, r.props["header.from"] ?? fromDomain))
      return { ok: true, why: `dmarc=pass for ${fromDomain}` };
    if (r.method === "dkim" && r.result === "pass" && aligned(fromDomain, r.props["header.d"] ?? r.props["header.i"]))
      return { ok: true, why: `dkim=pass for ${r.props["header.d"] ?? r.props["header.i"]}` };
  }
  const seen = own.results.filter((r) => r.method === "dkim" || r.method === "dmarc").map((r) => `${r.method}=${r.result}`);
  return { ok: false, why: `${authservId} saw ${seen.join(", ") || "no DKIM or DMARC"} for ${fromDomain}` };
}
