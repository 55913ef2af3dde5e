import { describe, expect, it } from "vitest";
import { SubscriptionsConfig } from "./config.ts";

const issues = (input: unknown) => {
  const r = SubscriptionsConfig.safeParse(input);
  expect(r.success).toBe(false);
  return r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("it.subscriptions configuration", () => {
  it("names every bad key at once", () => {
    expect(
      issues({
        items: [{ id: "Lagrieta.es", kind: "domian", name: "lagrieta.es", cost: { amount: -1, currency: "euro" } }],
        leadDays: [30, 0],
        rdap: { bootstrapUrl: "ftp://x", servers: { es: "not a url" } },
        providers: { godaddy: { key: "plain-text-key" }, cloudflare: { token: { env: "CF_TOKEN" } } },
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^items\.0\.id: lower-case letters/),
        expect.stringMatching(/^items\.0\.kind: /),
        expect.stringMatching(/^items\.0\.cost\.amount: /),
        expect.stringMatching(/^items\.0\.cost\.currency: a three-letter ISO 4217 code/),
        expect.stringMatching(/^leadDays\.1: /),
        expect.stringMatching(/^rdap\.bootstrapUrl: /),
        expect.stringMatching(/^rdap\.servers\.es: /),
        expect.stringMatching(/^providers\.godaddy\.key: a secret by file/),
        expect.stringMatching(/^providers\.godaddy\.secret: /),
        expect.stringMatching(/^providers\.cloudflare\.accountId: /),
      ]),
    );
  });

  it("an id used twice, and a renewal through approval without its cost", () => {
    const d = { id: "lagrieta-es", kind: "domain", name: "lagrieta.es" };
    expect(issues({ items: [d, { ...d, renewal: "approval" }] })).toEqual([
      "items.1.id: the id lagrieta-es is used twice",
      "items.1.cost: a renewal through approval needs its cost",
    ]);
  });

  it("fills the defaults: lead times 30/14/7/3/1, a read every 12 h, IANA's bootstrap", () => {
    const c = SubscriptionsConfig.parse({ items: [{ id: "web", kind: "certificate", name: "lagrieta.es:443" }] });
    expect(c.leadDays).toEqual([30, 14, 7, 3, 1]);
    expect(c.checkEvery).toBe(12 * 3_600_000);
    expect(c.rdap.bootstrapUrl).toBe("https://data.iana.org/rdap/dns.json");
    expect(c.items[0]).toMatchObject({ provider: "other", source: "auto", renewal: "manual", period: 1 });
  });
});
