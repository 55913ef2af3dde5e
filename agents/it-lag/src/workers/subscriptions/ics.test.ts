import { describe, expect, it } from "vitest";
import { subscriptionsService, type Subscription } from "@lag/contracts";
import { calendar } from "./ics.ts";

const sub = subscriptionsService.endpoints.list.example.reply.subscriptions[0]!;

describe("the calendar feed", () => {
  it("has an all-day event per date with stable UIDs, escaped text and alarms", () => {
    const s: Subscription = { ...sub, notes: "Paid by card; ask Ana, not Luis\nline two" };
    const { ics, events } = calendar([s], "kronos", new Date("2026-11-23T06:00:00Z"));
    expect(events).toBe(2);
    const unfolded = ics.replace(/\r\n /g, "");
    expect(unfolded).toContain("UID:lagrieta-es-expiry@lag.kronos");
    expect(unfolded).toContain("DTSTART;VALUE=DATE:20261207\r\nDTEND;VALUE=DATE:20261208");
    expect(unfolded).toContain("UID:lagrieta-es-notice@lag.kronos");
    expect(unfolded).toContain("Paid by card\\; ask Ana\\, not Luis\\nline two");
    expect(unfolded).toContain("TRIGGER:-P30D");
    expect(unfolded).toContain("TRIGGER:PT0S");
    expect(unfolded).toContain("DTSTAMP:20261123T060000Z");
  });

  it("folds long lines at 75 octets without splitting a character", () => {
    const long: Subscription = { ...sub, notes: "ñ".repeat(100) };
    const { ics } = calendar([long], "kronos", new Date());
    for (const line of ics.split("\r\n")) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(ics.replace(/\r\n /g, "")).toContain("ñ".repeat(100));
  });
});
