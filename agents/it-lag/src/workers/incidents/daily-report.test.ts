import { describe, expect, it } from "vitest";
import {
  backupService,
  imageUpdate,
  subscriptionsService,
  type MaintenanceResult,
  type PlanStatus,
  type Subscription,
} from "@lag/contracts";
import { backupLine, maintenanceLines, subscriptionLine, uptimeLines } from "./daily-report.ts";

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

describe("the daily report's maintenance section", () => {
  it("gives each task's summary, the containers with an update pending and where failed logins come from", () => {
    const { at: _at, host: _host, reminder: _r, ...check } = imageUpdate.example;
    const images: MaintenanceResult = {
      task: "image-updates",
      at: "2026-11-30T06:00:00.000Z",
      host: "kronos",
      durationMs: 900,
      containers: [check, { ...check, container: "caddy", image: "caddy:2", state: "current", pendingSince: undefined }],
      pending: 1,
    };
    expect(maintenanceLines(images)).toEqual([
      "image-updates (2026-11-30 06:00): 1 of 2 containers have an update pending",
      "  immich-server (ghcr.io/immich-app/immich-server:release): newer image for its tag, pending since 2026-11-23",
    ]);
    const logins: MaintenanceResult = {
      task: "failed-logins",
      at: "2026-11-30T06:00:00.000Z",
      host: "kronos",
      durationMs: 12,
      source: "/var/log/auth.log",
      windowHours: 24,
      total: 190,
      addresses: 2,
      top: [
        { address: "203.0.113.7", count: 188, users: ["admin", "root"], last: "2026-11-30T05:59:00.000Z" },
        { address: "198.51.100.4", count: 2, users: ["ana"], last: "2026-11-30T01:00:00.000Z" },
      ],
    };
    expect(maintenanceLines(logins)).toEqual([
      "failed-logins (2026-11-30 06:00): 190 failed SSH logins in 24 h from 2 addresses (most: 203.0.113.7, 188)",
      "  203.0.113.7: 188 (admin, root)",
      "  198.51.100.4: 2 (ana)",
    ]);
    expect(maintenanceLines({ ...logins, error: "journalctl: not found" })[0]).toBe(
      "failed-logins (2026-11-30 06:00): failed: journalctl: not found",
    );
    expect(maintenanceLines(undefined)).toEqual([]);
  });
});

describe("the daily report's uptime section", () => {
  const now = Date.parse("2026-12-01T07:00:00Z");
  const win = (window: "24h" | "7d" | "30d" | "1y", availabilityPct: number | null, downSec = 0, p95Ms: number | null = null) => ({
    window,
    availabilityPct,
    measuredSec: 86_400,
    downSec,
    excludedSec: 0,
    p50Ms: null,
    p95Ms,
    p99Ms: null,
  });

  it("gives each check's 24 h figure with its time down, 7 d and 30 d, the day's p95 and the day's silences", () => {
    const lines = uptimeLines(
      "kronos",
      {
        check: "immich-web",
        kind: "http",
        windows: [win("24h", 99.826, 150, 41.3), win("7d", 99.975), win("30d", null), win("1y", 99.9)],
        days: [],
        silences: [
          { id: "sil-a", startsAt: "2026-12-01T02:00:00.000Z", endsAt: "2026-12-01T02:30:00.000Z", note: "upgrade", createdBy: "ana" },
          { id: "sil-b", startsAt: "2026-11-20T02:00:00.000Z", endsAt: "2026-11-20T02:30:00.000Z", note: "old", createdBy: "ana" },
        ],
      },
      now,
    );
    expect(lines).toEqual([
      "kronos/immich-web: 24 h 99.826 % (3 min down), 7 d 99.975 %, 30 d no data; p95 41.3 ms",
      "  silenced 02:00–02:30 UTC by ana: upgrade",
    ]);
  });
});
