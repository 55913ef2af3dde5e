import { describe, expect, it } from "vitest";
import { NotFoundError } from "./http.ts";
import { parseWhoisExpiry, referral } from "./whois.ts";

describe("WHOIS answers", () => {
  it("reads the expiry under the keys registries use", () => {
    expect(parseWhoisExpiry("Domain Name: EXAMPLE.COM\r\nRegistry Expiry Date: 2027-08-13T04:00:00Z\r\n", "w")).toBe(
      "2027-08-13T04:00:00.000Z",
    );
    expect(parseWhoisExpiry("domain: example.ru\nstate: REGISTERED\npaid-till: 2027-03-01T21:00:00Z\n", "w")).toBe(
      "2027-03-01T21:00:00.000Z",
    );
    // Day first, as European registries write it.
    expect(parseWhoisExpiry("Domain: example.pl\nExpiration Date: 14.02.2027\n", "w")).toBe("2027-02-14T00:00:00.000Z");
    expect(parseWhoisExpiry("    Renewal date:  03-Apr-2027\n", "w")).toBe(new Date(Date.parse("03-Apr-2027")).toISOString());
    // The registry's own date wins over the registrar's when both are there.
    expect(
      parseWhoisExpiry("Registrar Registration Expiration Date: 2027-01-01T00:00:00Z\nRegistry Expiry Date: 2027-02-02T00:00:00Z\n", "w"),
    ).toBe("2027-02-02T00:00:00.000Z");
  });

  it("not found is the registry's answer; no date is an error naming the server", () => {
    expect(() => parseWhoisExpiry('No match for "NOPE.COM".\r\n', "whois.verisign-grs.com")).toThrow(NotFoundError);
    expect(() => parseWhoisExpiry("Domain: example.de\nStatus: free\n", "whois.denic.de")).toThrow(NotFoundError);
    expect(() => parseWhoisExpiry("Domain: example.de\nStatus: connect\n", "whois.denic.de")).toThrow(
      /whois\.denic\.de: no expiry date in the answer \(Domain: example\.de\)/,
    );
  });

  it("finds the TLD's server in IANA's answer", () => {
    expect(referral("% IANA WHOIS server\n\ndomain:       ES\n\norganisation: Red.es\nwhois:        whois.nic.es\n")).toBe("whois.nic.es");
    expect(referral("refer:        whois.nic.io\n\ndomain:       IO\n")).toBe("whois.nic.io");
    expect(referral("domain: XX\nstatus: ACTIVE\n")).toBeUndefined();
  });
});
