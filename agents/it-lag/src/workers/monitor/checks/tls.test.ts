import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TlsCheck } from "./check-config.ts";
import { makeCertificate, type TestCertificate } from "@lag/testing";
import { freePort } from "./dnsmasq.fixture.ts";
import { published } from "./results.fixture.ts";
import { httpServer, tlsServer, type TestServer } from "./servers.fixture.ts";
import { run } from "./tls.ts";

const DAY = 86_400_000;

describe("tls check against a local TLS server with certificates made by the test", () => {
  const made = new Date();
  let tenDays: TestCertificate;
  let expired: TestCertificate;
  let fortyDays: TestCertificate;
  let server: TestServer;

  beforeAll(async () => {
    [tenDays, expired, fortyDays] = await Promise.all([
      makeCertificate({ name: "ten.test", notAfter: new Date(made.getTime() + 10 * DAY) }),
      makeCertificate({ name: "old.test", notAfter: new Date(made.getTime() - 2 * DAY) }),
      makeCertificate({ name: "forty.test", notAfter: new Date(made.getTime() + 40 * DAY) }),
    ]);
    // The first certificate is the one served without SNI (by IP).
    server = await tlsServer({ "ten.test": tenDays, "old.test": expired, "forty.test": fortyDays });
  });
  afterAll(() => server.close());

  const check = (fields: { servername?: string; host?: string; port?: number; timeout?: number }) =>
    TlsCheck.parse({ name: "cert", kind: "tls", host: "127.0.0.1", port: server.port, ...fields });

  it("reports the days left of a certificate expiring in 10 days, and its notAfter", async () => {
    // The check's clock is exactly ten days before the certificate's notAfter.
    const now = () => new Date(tenDays.notAfter.getTime() - 10 * DAY);
    const r = published(await run(check({ servername: "ten.test" }), now));
    expect(r).toMatchObject({ kind: "tls", ok: true, tlsDaysLeft: 10, tlsNotAfter: tenDays.notAfter.toISOString() });
    expect(r.target).toBe(`127.0.0.1:${server.port} (SNI ten.test)`);
    expect(r.latencyMs).toBeGreaterThan(0);
    expect(r.detail).toContain(`certificate expires in 10.0 days (${tenDays.notAfter.toISOString()})`);
    // Self-signed: still measured; the distrust is a note, not the verdict.
    expect(r.detail).toContain("not trusted here: self-signed certificate");
  });

  it("reports fractional days with the real clock", async () => {
    const r = published(await run(check({ servername: "ten.test" }), () => new Date()));
    expect(r.tlsDaysLeft).toBeGreaterThan(9.9);
    expect(r.tlsDaysLeft).toBeLessThan(10);
  });

  it("still reads an expired certificate: negative days, not ok", async () => {
    const r = published(await run(check({ servername: "old.test" }), () => new Date()));
    expect(r.ok).toBe(false);
    expect(r.tlsDaysLeft).toBeCloseTo(-2, 2);
    expect(r.tlsNotAfter).toBe(expired.notAfter.toISOString());
    expect(r.detail).toMatch(/^certificate expired 2\.0 days ago/);
  });

  it("picks the certificate by SNI, and gets the default one by IP without a servername", async () => {
    const byName = published(await run(check({ servername: "forty.test" }), () => new Date()));
    expect(byName.tlsNotAfter).toBe(fortyDays.notAfter.toISOString());
    expect(byName.detail).toContain("CN=forty.test");
    const byIp = published(await run(check({}), () => new Date()));
    expect(byIp.tlsNotAfter).toBe(tenDays.notAfter.toISOString());
  });

  it("reports the default certificate for an SNI name the server has none for, and whose it is", async () => {
    const r = published(await run(check({ servername: "unknown.test" }), () => new Date()));
    expect(r.ok).toBe(true);
    expect(r.detail).toContain("CN=ten.test");
  });

  it("reports a closed port as connection refused", async () => {
    const port = await freePort();
    const r = published(await run(check({ port }), () => new Date()));
    expect(r).toMatchObject({ ok: false, detail: "connection refused" });
    expect(r.tlsDaysLeft).toBeUndefined();
  });

  it("says when the port does not speak TLS", async () => {
    const plain = await httpServer((_req, res) => res.end("ok"));
    try {
      const r = published(await run(check({ port: plain.port }), () => new Date()));
      expect(r).toMatchObject({ ok: false, detail: "TLS handshake failed: the server does not speak TLS on this port (plain HTTP?)" });
    } finally {
      await plain.close();
    }
  });
});
