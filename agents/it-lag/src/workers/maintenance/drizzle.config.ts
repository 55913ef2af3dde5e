import { defineConfig } from "drizzle-kit";

// The maintenance worker's last results, pending images, truncations and firing alerts. drizzle-kit reads these paths from the package root:
// `pnpm exec drizzle-kit generate --config src/workers/maintenance/drizzle.config.ts --name <name>` in agents/it-lag.
export default defineConfig({
  dialect: "sqlite",
  schema: ["./src/workers/maintenance/store/schema.ts"],
  out: "./src/workers/maintenance/migrations",
});
