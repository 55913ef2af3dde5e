import { defineConfig } from "drizzle-kit";

// The backup worker's catalogue. drizzle-kit reads these paths from the package root:
// `pnpm exec drizzle-kit generate --config src/workers/backup/drizzle.config.ts --name <name>` in agents/it-lag.
export default defineConfig({
  dialect: "sqlite",
  schema: ["./src/workers/backup/store/schema.ts"],
  out: "./src/workers/backup/migrations",
});
