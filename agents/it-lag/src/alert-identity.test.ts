import { describe, expect, it } from "vitest";
import { alertId, fingerprint } from "./alert-identity.ts";

describe("fingerprint", () => {
  it("is rule/host/sorted labels, whatever order the labels come in", () => {
    expect(fingerprint("disk-high", "kronos", { role: "storage", mount: "/mnt/storage" })).toBe(
      "disk-high/kronos/mount=/mnt/storage,role=storage",
    );
    expect(fingerprint("disk-high", "kronos", { mount: "/mnt/storage", role: "storage" })).toBe(
      fingerprint("disk-high", "kronos", { role: "storage", mount: "/mnt/storage" }),
    );
    expect(fingerprint("docker-down", "nas", {})).toBe("docker-down/nas");
  });
});

describe("alertId", () => {
  const a = { fingerprint: "disk-high/kronos/mount=/", startsAt: "2026-11-23T06:00:00.000Z", status: "firing" as const, repeat: 0 };

  it("is the same for the same notification, so a re-publish is a JetStream duplicate", () => {
    expect(alertId({ ...a })).toBe(alertId(a));
    expect(alertId(a)).toMatch(/^alert-[0-9a-f]{32}$/);
  });

  it("differs by fingerprint, occurrence, status and reminder", () => {
    const ids = new Set([
      alertId(a),
      alertId({ ...a, fingerprint: "disk-high/kronos/mount=/mnt" }),
      alertId({ ...a, startsAt: "2026-11-23T07:00:00.000Z" }),
      alertId({ ...a, status: "resolved" }),
      alertId({ ...a, repeat: 1 }),
    ]);
    expect(ids.size).toBe(5);
  });
});
