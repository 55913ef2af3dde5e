import { defineConfig } from "drizzle-kit";

// Migrations of it-lag's SQLite stores: `pnpm exec drizzle-kit generate --name <name>` from agents/it-lag.
export default defineConfig({
  dialect: "sqlite",
  schema: ["./src/workers/monitor/history/schema.ts"],
  out: "./drizzle",
});
