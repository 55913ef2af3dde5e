import { describe, expect, it } from "vitest";
import { levelOf } from "./space-warnings.ts";

const t = { low: 90, critical: 95 };

describe("a volume's space level", () => {
  it("rises at each threshold and falls only past the hysteresis below it", () => {
    expect(levelOf(89.9, "ok", t, 2)).toBe("ok");
    expect(levelOf(90, "ok", t, 2)).toBe("low");
    expect(levelOf(95, "low", t, 2)).toBe("critical");
    expect(levelOf(94, "critical", t, 2)).toBe("critical");
    expect(levelOf(92.9, "critical", t, 2)).toBe("low");
    expect(levelOf(89, "low", t, 2)).toBe("low");
    expect(levelOf(88, "low", t, 2)).toBe("ok");
    expect(levelOf(50, "critical", t, 2)).toBe("ok");
    expect(levelOf(89, "low", t, 0)).toBe("ok");
  });
});
