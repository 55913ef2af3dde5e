import { describe, expect, it } from "vitest";
import { hostPort, parseHostPort } from "./host-port.ts";

describe("host:port", () => {
  it("reads a name, an address with a port, a bracketed and a bare IPv6 address", () => {
    expect(parseHostPort("whois.nic.es", 43)).toEqual({ host: "whois.nic.es", port: 43 });
    expect(parseHostPort("127.0.0.1:4343", 43)).toEqual({ host: "127.0.0.1", port: 4343 });
    expect(parseHostPort("[::1]:8443", 443)).toEqual({ host: "::1", port: 8443 });
    expect(parseHostPort("[::1]", 443)).toEqual({ host: "::1", port: 443 });
    expect(parseHostPort("2001:db8::1", 443)).toEqual({ host: "2001:db8::1", port: 443 });
  });

  it("writes what it reads", () => {
    for (const [host, port] of [
      ["kronos", 22],
      ["::1", 443],
    ] as const)
      expect(parseHostPort(hostPort(host, port), 1)).toEqual({ host, port });
  });
});
