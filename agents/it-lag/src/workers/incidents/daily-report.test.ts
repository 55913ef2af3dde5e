import { describe, expect, it } from "vitest";
import { backupService, type PlanStatus } from "@lag/contracts";
import { backupLine } from "./daily-report.ts";

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
