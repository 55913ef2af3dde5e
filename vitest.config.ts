import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each test file starts its own nats-server; two cores are the budget on CI machines.
    pool: "forks",
    maxWorkers: 2,
  },
});
