import { isIP } from "node:net";

/** host:port, an IPv6 address in brackets as in URLs. */
export function hostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** `whois.nic.es`, `127.0.0.1:4343`, `[::1]:443` → host and port (`defaultPort` when none is written). */
export function parseHostPort(text: string, defaultPort: number): { host: string; port: number } {
  const bracketed = text.match(/^\[([^\]]+)\](?::(\d+))?$/);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : defaultPort };
  // A bare IPv6 address has colons of its own and no port.
  if (isIP(text) === 6) return { host: text, port: defaultPort };
  const m = text.match(/^(.*):(\d+)$/);
  return m ? { host: m[1]!, port: Number(m[2]) } : { host: text, port: defaultPort };
}
