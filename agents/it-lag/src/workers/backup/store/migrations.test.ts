import { fileURLToPath } from "node:url";
import { checkMigrationsFresh } from "@lag/store";
import { describe, expect, it } from "vitest";

describe("the backup worker's migrations", () => {
  it("match schema.ts: drizzle-kit has nothing left to generate", async () => {
    const config = fileURLToPath(new URL("../drizzle.config.ts", import.meta.url));
    const result = await checkMigrationsFresh(config);
    expect(result.added, result.output).toEqual([]);
    expect(result.fresh).toBe(true);
  });
});
