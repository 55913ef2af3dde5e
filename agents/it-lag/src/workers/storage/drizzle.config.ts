import { defineConfig } from "drizzle-kit";

// The storage worker's reservations, library figures and warned levels. drizzle-kit reads these paths from the package root:
// `pnpm exec drizzle-kit generate --config src/workers/storage/drizzle.config.ts --name <name>` in agents/it-lag.
export default defineConfig({
  dialect: "sqlite",
  schema: ["./src/workers/storage/store/schema.ts"],
  out: "./src/workers/storage/migrations",
});
