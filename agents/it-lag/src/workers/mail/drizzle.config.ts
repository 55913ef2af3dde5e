import { defineConfig } from "drizzle-kit";

// The mail worker's queue, cursors and codes. drizzle-kit reads these paths from the package root:
// `pnpm exec drizzle-kit generate --config src/workers/mail/drizzle.config.ts --name <name>` in agents/it-lag.
export default defineConfig({
  dialect: "sqlite",
  schema: ["./src/workers/mail/store/schema.ts"],
  out: "./src/workers/mail/migrations",
});
