import { defineConfig } from "drizzle-kit";

// The status page's sessions, audit trail and first admin: `pnpm exec drizzle-kit generate --config src/drizzle.config.ts --name <name>` in packages/dashboard.
export default defineConfig({ dialect: "sqlite", schema: ["./src/store/schema.ts"], out: "./src/migrations" });
