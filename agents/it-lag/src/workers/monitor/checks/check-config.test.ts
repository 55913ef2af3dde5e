import { describe, expect, it } from "vitest";
import { ChecksConfig, parseResolver } from "./check-config.ts";

/** Issues as the config loader shows them: the path (index, field) then the message. */
function problems(input: unknown): string[] {
  const r = ChecksConfig.safeParse(input);
  if (r.success) throw new Error("expected the checks to be rejected");
  return r.error.issues.map((i) => `[${i.path.join("].[")}]: ${i.message}`.replace("[]: ", ""));
}

describe("it.monitor.checks", () => {
  it("accepts every kind and fills in the defaults", () => {
    const checks = ChecksConfig.parse([
      {
        name: "immich-web",
        kind: "http",
        url: "https://127.0.0.1/api/server/ping",
        hostHeader: "photos.lagrieta.es",
        insecure: true,
        bodyMatch: "pong",
        interval: "30s",
      },
      { name: "poste-imap", kind: "tcp", host: "127.0.0.1", port: 993 },
      { name: "pihole", kind: "dns", query: "kronos.lan", resolver: "192.168.1.2", expect: ["192.168.1.10"] },
      { name: "photos-cert", kind: "tls", host: "photos.lagrieta.es" },
      { name: "router", kind: "ping", host: "192.168.1.1" },
    ]);
    expect(checks.map((c) => c.kind)).toEqual(["http", "tcp", "dns", "tls", "ping"]);
    expect(checks[0]).toMatchObject({ method: "GET", interval: 30_000, timeout: 5_000, insecure: true });
    expect(ChecksConfig.parse([{ name: "nas", kind: "http", url: "https://nas.lan/" }])[0]).toMatchObject({
      insecure: false,
      method: "GET",
    });
    expect(checks[0]).not.toHaveProperty("expectStatus"); // 200-399, decided by the check
    expect(checks[1]).toMatchObject({ timeout: 5_000 });
    expect(checks[1]!.interval).toBeUndefined(); // the monitor's interval, decided by the runner
    expect(checks[2]).toMatchObject({ type: "A" });
    expect(checks[3]).toMatchObject({ port: 443 });
    expect(checks[4]).toMatchObject({ count: 3 });
  });

  it("lists every problem of every check with its index, name and field", () => {
    const found = problems([
      { name: "web", kind: "http", url: "ftp://files.lan/" },
      { name: "imap", kind: "tcp", host: "mail.lan", port: 70_000 },
      { name: "pihole", kind: "dns", query: "kronos.lan", resolver: "999.1.1.1" },
      { name: "mail", kind: "smtp", host: "mail.lan" },
      { name: "health", kind: "http", url: "http://kronos.lan/", bodyMatch: "(" },
      { name: "Web Server", kind: "tcp", host: "kronos.lan", port: 80 },
      { name: "web", kind: "tls", host: "photos.lagrieta.es", warnDays: 14 },
      { name: "slow", kind: "tcp", host: "kronos.lan", port: 25, interval: "5s", timeout: "10s" },
      { name: "head", kind: "http", url: "http://kronos.lan/", method: "HEAD", bodyMatch: "ok" },
      { name: "v4", kind: "dns", query: "kronos.lan", expect: ["fd00::1"] },
      { name: "far", kind: "ping", host: "-f", count: 10, timeout: "1s" },
    ]);
    expect(found).toEqual(
      expect.arrayContaining([
        "[0].[url]: check web: expected an http:// or https:// URL",
        "[1].[port]: check imap: ports run from 1 to 65535",
        '[2].[resolver]: check pihole: "999.1.1.1" is not a resolver address; expected "ip" or "ip:port" (IPv6: "[addr]:port")',
        "[3].[kind]: check mail: expected kind: http | tcp | dns | tls | ping | pihole",
        expect.stringMatching(/^\[4\]\.\[bodyMatch\]: check health: not a valid regular expression: .*Unterminated group/),
        expect.stringMatching(/^\[5\]\.\[name\]: check Web Server: lower-case letters/),
        expect.stringMatching(
          /^\[6\]: check web: unknown field warnDays; a tls check has name, kind, interval, timeout, host, port, servername$/,
        ),
        "[7].[timeout]: check slow: timeout (10000 ms) must be shorter than interval (5000 ms)",
        "[8].[bodyMatch]: check head: a HEAD response has no body; use method GET",
        '[9].[expect].[0]: check v4: "fd00::1" is not an IPv4 address (type A)',
        '[10].[host]: check far: "-f" is not a host name or IP address (no scheme, no port, no path)',
        "check names must be unique: web at [0], [6]",
      ]),
    );
  });

  it("checks the fields between them only once each is valid, reporting ping's minimum time", () => {
    expect(problems([{ name: "far", kind: "ping", host: "10.0.0.1", count: 10, timeout: "1s" }])).toEqual([
      "[0].[timeout]: check far: 10 echo requests need a timeout of at least 2800 ms",
    ]);
  });

  it("rejects options that would be ignored over plain HTTP or together", () => {
    expect(problems([{ name: "x", kind: "http", url: "http://kronos.lan/", insecure: true, headers: { Host: "a" } }])).toEqual([
      "[0].[insecure]: check x: only applies to https:// URLs",
      "[0].[headers]: check x: set the Host header with hostHeader (it also sets the TLS server name)",
    ]);
    expect(problems([{ name: "y", kind: "http", url: "https://kronos.lan/", insecure: true, ca: "/etc/ca.pem" }])).toEqual([
      "[0].[ca]: check y: insecure skips verification, so ca would be ignored; keep one of them",
    ]);
  });

  it("names the check and field of a duration that is not one, or is zero", () => {
    expect(
      problems([
        { name: "spin", kind: "tcp", host: "kronos.lan", port: 22, interval: 0 },
        { name: "typo", kind: "tcp", host: "kronos.lan", port: 22, timeout: "5 sec" },
      ]),
    ).toEqual([
      "[0].[interval]: check spin: must be longer than 0",
      expect.stringMatching(/^\[1\]\.\[timeout\]: check typo: expected a duration like .*, got "5 sec"$/),
    ]);
  });

  it("says a check without a name is nameless rather than guessing", () => {
    expect(problems([{ kind: "tcp", host: "kronos.lan", port: 22 }])).toEqual([expect.stringMatching(/^\[0\]\.\[name\]: (?!check )/)]);
  });
});

describe("resolver addresses", () => {
  it("reads ip and ip:port, IPv6 with a port only in brackets, 53 by default", () => {
    expect(parseResolver("192.168.1.2")).toEqual({ address: "192.168.1.2", port: 53 });
    expect(parseResolver("127.0.0.1:5353")).toEqual({ address: "127.0.0.1", port: 5353 });
    expect(parseResolver("[fd00::2]:5353")).toEqual({ address: "fd00::2", port: 5353 });
    expect(parseResolver("fd00::2")).toEqual({ address: "fd00::2", port: 53 });
    expect(parseResolver("pihole.lan")).toBeUndefined();
    expect(parseResolver("127.0.0.1:70000")).toBeUndefined();
  });
});
