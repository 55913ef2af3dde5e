import { z } from "zod";
import { describeValue } from "./messages.ts";

// Disk vendors and `df -H` count in powers of 10, `df -h` and the kernel in powers of 2: both are
// accepted, and the unit says which (GB = 10^9 bytes, GiB = 2^30 bytes).
const UNIT_BYTES: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  pib: 2 ** 50,
};
const SIZE = /^(\d+(?:\.\d+)?)\s*([a-z]+)?$/i;

export const BYTE_SIZE_FORMS = "300GB, 512MB, 2TB (powers of 10), 300 GiB, 512MiB (powers of 2), or a number of bytes";

/** Bytes in "300GB", "300 GiB", "512MB"; undefined when the text is not a size. */
export function parseByteSize(text: string): number | undefined {
  const m = SIZE.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2] === undefined ? 1 : UNIT_BYTES[m[2].toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

/** An amount of storage ("300GB", "300 GiB") or a number of bytes; parses to bytes. */
export const byteSize = z
  .union([z.number(), z.string()], {
    error: (iss) => (iss.input === undefined ? "required" : `expected a size like ${BYTE_SIZE_FORMS}, got ${describeValue(iss.input)}`),
  })
  .transform((v, ctx) => {
    const bytes = typeof v === "number" ? v : parseByteSize(v);
    if (bytes === undefined || !Number.isFinite(bytes) || bytes < 0) {
      ctx.addIssue({ code: "custom", message: `expected a size like ${BYTE_SIZE_FORMS}, got ${describeValue(v)}`, input: v });
      return z.NEVER;
    }
    return Math.round(bytes);
  });
