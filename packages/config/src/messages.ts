import type { z } from "zod";

/** A value as the operator wrote it: strings quoted, lists and mappings named. */
export function describeValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return "a list";
  if (v !== null && typeof v === "object") return "a mapping";
  return String(v);
}

const TYPE_NAMES: Record<string, string> = { object: "a mapping (key: value)", array: "a list" };

/**
 * Messages for issues whose schema gave none, worded for a YAML file rather than for code:
 * "required" for a missing key, the value actually found for a wrong one. A schema's own `error`
 * still wins (zod applies it first).
 */
export const configErrorMap: z.core.$ZodErrorMap = (iss) => {
  if (iss.code === "invalid_type") {
    if (iss.input === undefined) return "required";
    return `expected ${TYPE_NAMES[iss.expected] ?? iss.expected}, got ${describeValue(iss.input)}`;
  }
  if (iss.code === "invalid_value") {
    return `expected ${iss.values.length === 1 ? "" : "one of "}${iss.values.map((v) => JSON.stringify(v)).join(" | ")}, got ${describeValue(iss.input)}`;
  }
  return undefined;
};
