import { defineConfig } from "drizzle-kit";

// The monitor's own SQLite file (history). drizzle-kit reads these paths from the package root:
// `pnpm exec drizzle-kit generate --config src/workers/monitor/drizzle.config.ts --name <name>` in agents/it-lag.
export default defineConfig({
  dialect: "sqlite",
  schema: ["./src/workers/monitor/history/schema.ts"],
  out: "./src/workers/monitor/migrations",
});
