import { defineConfig } from "drizzle-kit";

// The incident worker's own SQLite file. drizzle-kit reads these paths from the package root:
// `pnpm exec drizzle-kit generate --config src/workers/incidents/drizzle.config.ts --name <name>` in agents/it-lag.
export default defineConfig({
  dialect: "sqlite",
  schema: ["./src/workers/incidents/store/schema.ts"],
  out: "./src/workers/incidents/migrations",
});
