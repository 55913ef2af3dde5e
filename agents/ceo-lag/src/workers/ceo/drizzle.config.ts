import { defineConfig } from "drizzle-kit";

// CEO_LAG's own SQLite file (inbox). drizzle-kit reads these paths from the package root:
// `pnpm exec drizzle-kit generate --config src/workers/ceo/drizzle.config.ts --name <name>` in agents/ceo-lag.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/workers/ceo/inbox/schema.ts",
  out: "./src/workers/ceo/migrations",
});
