import { defineConfig } from "drizzle-kit";

// The example worker's SQLite file. drizzle-kit reads these paths from the package root:
// `pnpm exec drizzle-kit generate --name <name>` in examples/hello.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/schema.ts",
  out: "./src/migrations",
});
