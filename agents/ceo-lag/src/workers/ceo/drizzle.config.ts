import { defineConfig } from "drizzle-kit";

// CEO_LAG's own SQLite file (inbox, approvals, daily reports). drizzle-kit reads these paths from the package root:
// `pnpm exec drizzle-kit generate --config src/workers/ceo/drizzle.config.ts --name <name>` in agents/ceo-lag.
export default defineConfig({
  dialect: "sqlite",
  schema: ["./src/workers/ceo/inbox/schema.ts", "./src/workers/ceo/approvals/schema.ts", "./src/workers/ceo/reports/schema.ts"],
  out: "./src/workers/ceo/migrations",
});
