import { defineConfig } from "drizzle-kit";

// MEDIA_LAG's imports and the volume levels it was told of. drizzle-kit reads these paths from the package root:
// `pnpm exec drizzle-kit generate --config src/workers/media/drizzle.config.ts --name <name>` in agents/media-lag.
export default defineConfig({
  dialect: "sqlite",
  schema: ["./src/workers/media/schema.ts"],
  out: "./src/workers/media/migrations",
});
