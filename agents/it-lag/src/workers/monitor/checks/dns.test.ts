import { createSocket, type Socket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DnsCheck, type CheckInput } from "./check-config.ts";
import { run } from "./dns.ts";
import { freePort, startDnsmasq, type TestDns } from "./dnsmasq.fixture.ts";
import { published, realNow } from "./results.fixture.ts";

type DnsFields = Omit<Extract<CheckInput, { kind: "dns" }>, "kind" | "name">;

describe("dns check against dnsmasq on a loopback port", () => {
  let dns: TestDns;
  const check = (fields: Omit<DnsFields, "resolver"> & { resolver?: string }) =>
    DnsCheck.parse({ name: "pihole", kind: "dns", resolver: dns.resolver, ...fields });

  beforeAll(async () => {
    dns = await startDnsmasq({
      hosts: { "kronos.test": ["10.0.0.5"], "nas.test": ["10.0.0.8", "10.0.0.9"], "v6.test": ["fd00::7"] },
      cnames: { "photos.test": "kronos.test" },
      mx: {
        "mail.test": [
          ["mx2.mail.test", 20],
          ["mx1.mail.test", 10],
        ],
      },
      txt: { "spf.test": "v=spf1 -all" },
    });
  });
  afterAll(() => dns.stop());

  it("resolves an A record, reporting the addresses and the latency", async () => {
    const r = published(await run(check({ query: "kronos.test" }), realNow));
    expect(r).toMatchObject({
      kind: "dns",
      ok: true,
      addresses: ["10.0.0.5"],
      detail: "10.0.0.5",
      target: `kronos.test A @${dns.resolver}`,
    });
    expect(r.latencyMs).toBeGreaterThan(0);
  });

  it("passes when every expected address is in the answer", async () => {
    const r = published(await run(check({ query: "nas.test", expect: ["10.0.0.9"] }), realNow));
    expect(r.ok).toBe(true);
    expect([...(r.addresses ?? [])].sort()).toEqual(["10.0.0.8", "10.0.0.9"]);
  });

  it("fails when an expected address is missing, showing what came back", async () => {
    const r = published(await run(check({ query: "kronos.test", expect: ["10.0.0.5", "10.0.0.99"] }), realNow));
    expect(r).toMatchObject({ ok: false, addresses: ["10.0.0.5"], detail: "expected 10.0.0.99 in the answer, got 10.0.0.5" });
  });

  it("reports a name that does not exist (NXDOMAIN)", async () => {
    const r = published(await run(check({ query: "nope.test" }), realNow));
    expect(r.ok).toBe(false);
    expect(r.addresses).toBeUndefined();
    expect(r.detail).toMatch(new RegExp(`^no A record for nope\\.test at ${dns.resolver.replace(/\./g, "\\.")}`));
  });

  it("compares IPv6 answers whatever their spelling", async () => {
    const r = published(await run(check({ query: "v6.test", type: "AAAA", expect: ["fd00:0:0:0::7"] }), realNow));
    expect(r).toMatchObject({ ok: true, addresses: ["fd00::7"] });
  });

  it("reads CNAME, MX (by preference) and TXT answers", async () => {
    const cname = published(await run(check({ query: "photos.test", type: "CNAME", expect: ["KRONOS.test."] }), realNow));
    expect(cname).toMatchObject({ ok: true, addresses: ["kronos.test"] });
    const mx = published(await run(check({ query: "mail.test", type: "MX" }), realNow));
    expect(mx).toMatchObject({ ok: true, addresses: ["mx1.mail.test", "mx2.mail.test"] });
    const txt = published(await run(check({ query: "spf.test", type: "TXT", expect: ["v=spf1 -all"] }), realNow));
    expect(txt).toMatchObject({ ok: true, addresses: ["v=spf1 -all"] });
  });

  it("reports a resolver with nothing listening as connection refused", async () => {
    const port = await freePort();
    const r = published(await run(check({ query: "kronos.test", resolver: `127.0.0.1:${port}`, timeout: 1000 }), realNow));
    expect(r).toMatchObject({ ok: false, detail: `connection refused by 127.0.0.1:${port} (no DNS server listening there)` });
  });
});

describe("dns check against a resolver that is down", () => {
  let blackhole: Socket;
  let port: number;
  let received = 0;

  beforeAll(async () => {
    // Takes queries and never answers, like a resolver whose upstream hangs.
    blackhole = createSocket("udp4", () => received++);
    await new Promise<void>((resolve) => blackhole.bind(0, "127.0.0.1", resolve));
    port = blackhole.address().port;
  });
  afterAll(() => new Promise<void>((resolve) => blackhole.close(() => resolve())));

  it("times out after the check's timeout, having asked once", async () => {
    const started = Date.now();
    const r = published(
      await run(
        DnsCheck.parse({ name: "pihole", kind: "dns", query: "kronos.test", resolver: `127.0.0.1:${port}`, timeout: 400 }),
        realNow,
      ),
    );
    expect(r).toMatchObject({ ok: false, detail: `timed out after 400 ms waiting for 127.0.0.1:${port}` });
    // It waited for the timeout (never gave up early); the detail says the timeout ended it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(395);
    expect(received).toBe(1);
  });
});
