import { defineConfig } from "drizzle-kit";

// The subscription worker's register, audit trail, warnings and bootstrap. drizzle-kit reads these paths from the package root:
// `pnpm exec drizzle-kit generate --config src/workers/subscriptions/drizzle.config.ts --name <name>` in agents/it-lag.
export default defineConfig({
  dialect: "sqlite",
  schema: ["./src/workers/subscriptions/store/schema.ts"],
  out: "./src/workers/subscriptions/migrations",
});
