import { describe, expect, it } from "vitest";
import { dlqFilter, isSubjectPattern, parseDlqSubject } from "../src/index.ts";

describe("isSubjectPattern", () => {
  it.each([
    ["lag.>", true],
    ["lag.it.*.metrics", true],
    ["_INBOX_media.>", true],
    ["lag..x", false],
    ["lag.>.x", false],
    ["lag.it*", false],
    ["lag. it", false],
  ])("%s → %s", (p, ok) => expect(isSubjectPattern(p)).toBe(ok));
});

describe("dead-letter subjects", () => {
  it("say who parked a message and where it was going", () => {
    expect(parseDlqSubject("lag.dlq.ceo.lag.it.host.metrics.kronos")).toEqual({ principal: "ceo", subject: "lag.it.host.metrics.kronos" });
    expect(parseDlqSubject("lag.dlq.ceo")).toBeUndefined();
    expect(parseDlqSubject("lag.it.alert.firing.kronos.x")).toBeUndefined();
  });

  it("filter every principal's dead letters by original subject", () => {
    expect(dlqFilter()).toBe("lag.dlq.>");
    expect(dlqFilter("lag.it.>")).toBe("lag.dlq.*.lag.it.>");
    expect(dlqFilter("lag.dlq.media.>")).toBe("lag.dlq.media.>");
  });
});
