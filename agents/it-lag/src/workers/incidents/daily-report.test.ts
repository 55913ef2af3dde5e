import { describe, expect, it } from "vitest";
import { backupService, subscriptionsService, type PlanStatus, type Subscription } from "@lag/contracts";
import { backupLine, subscriptionLine } from "./daily-report.ts";

const example = backupService.endpoints.list.example.reply.plans[0]!;

describe("the daily report's backups section", () => {
  it("says each plan's RPO, last good copy, failing repositories, rotation, drill and size trend in a line", () => {
    const p: PlanStatus = {
      ...example,
      rpo: "amber",
      repositories: [
        { name: "local", lastSuccess: "2026-11-23T03:04:10.000Z" },
        { name: "nas", lastError: "nas: the repository did not answer" },
      ],
      verification: { done: 3, of: 7, lastData: { at: "2026-11-23T04:30:00.000Z", ok: false } },
      sizes: [
        { at: "2026-11-17T03:04:00.000Z", bytes: 1000, added: 10 },
        { at: "2026-11-20T03:04:00.000Z", bytes: 1000, added: 10 },
        { at: "2026-11-23T03:04:10.000Z", bytes: 1100, added: 100 },
      ],
    };
    expect(backupLine(p)).toBe(
      "immich: amber; last good 2026-11-23T03:04:10.000Z; nas failed: nas: the repository did not answer; checked 3/7 (damage found); drill passed 2026-11-22T06:00:00.000Z; size 1.1 KiB (+10.0 % in 7 days)",
    );
  });

  it("a plan that never succeeded says so", () => {
    const { lastSuccess, lastDrill, ...rest } = example;
    expect(backupLine({ ...rest, rpo: "red", sizes: [] })).toBe("immich: red; never succeeded; checked 3/7; no drill yet");
  });
});

describe("the daily report's subscriptions section", () => {
  const sub = subscriptionsService.endpoints.list.example.reply.subscriptions[0]!;
  const now = Date.parse("2026-11-30T10:00:00.000Z");

  it("says the nearest dates, where the expiry came from, and the renewal under way", () => {
    const s: Subscription = {
      ...sub,
      renewalState: {
        state: "task",
        years: 1,
        since: "2026-11-30T09:00:00.000Z",
        note: "renew lagrieta.es at https://dcc.godaddy.com (12 EUR)",
      },
    };
    expect(subscriptionLine(s, now)).toBe(
      "domain lagrieta.es: expires 2026-12-07 (in 7 days, from whois); last day to renew or cancel 2026-12-04 (in 4 days); renewal task: renew lagrieta.es at https://dcc.godaddy.com (12 EUR)",
    );
  });

  it("a passed date, no known expiry and a failing source are said", () => {
    expect(subscriptionLine({ ...sub, noticeAt: undefined, renewal: "manual", expiresAt: "2026-11-28T10:00:00.000Z" }, now)).toBe(
      "domain lagrieta.es: expires 2026-11-28 (2 days ago, from whois); renewal manual",
    );
    const { expiresAt, expirySource, noticeAt, ...bare } = sub;
    expect(subscriptionLine({ ...bare, check: { state: "failing", error: "whois.nic.es: connect ECONNREFUSED" } }, now)).toBe(
      "domain lagrieta.es: no expiry known; renewal approval; source failing: whois.nic.es: connect ECONNREFUSED",
    );
  });
});
