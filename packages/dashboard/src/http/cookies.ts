/** `a=1; b=2` → { a: "1", b: "2" } (values URI-decoded; a malformed one is skipped). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    try {
      out[name] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // not ours, or mangled: ignored
    }
  }
  return out;
}

/** A Set-Cookie value: HttpOnly and SameSite=Strict always, Secure when asked, gone at once with maxAge 0. */
export function cookie(name: string, value: string, o: { maxAgeSec: number; secure: boolean }): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    "Path=/",
    "HttpOnly",
    "SameSite=Strict",
    `Max-Age=${o.maxAgeSec}`,
    ...(o.secure ? ["Secure"] : []),
  ].join("; ");
}
