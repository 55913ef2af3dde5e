import { z } from "zod";
import { describeValue } from "./messages.ts";

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const PART = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/gy;

export const DURATION_FORMS = "250ms, 10s, 5m, 48h, 30d, 1w (or combined, 1h30m), or a number of milliseconds";

/** Milliseconds in "10s", "1h30m", "250ms"; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (s.length === 0) return undefined;
  PART.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let m = PART.exec(s); m !== null; m = PART.exec(s)) {
    total += Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
    end = PART.lastIndex;
    while (s[end] === " ") end++;
    PART.lastIndex = end;
  }
  return end === s.length ? Math.round(total) : undefined;
}

/**
 * A length of time as the operator writes it ("10s", "5m", "48h") or a number of milliseconds;
 * parses to milliseconds. `duration.default(10_000)` takes milliseconds.
 */
export const duration = z
  .union([z.number(), z.string()], {
    error: (iss) => (iss.input === undefined ? "required" : `expected a duration like ${DURATION_FORMS}, got ${describeValue(iss.input)}`),
  })
  .transform((v, ctx) => {
    const ms = typeof v === "number" ? v : parseDuration(v);
    if (ms === undefined || !Number.isFinite(ms) || ms < 0) {
      ctx.addIssue({ code: "custom", message: `expected a duration like ${DURATION_FORMS}, got ${describeValue(v)}`, input: v });
      return z.NEVER;
    }
    return ms;
  });
