import { defineConfig } from "drizzle-kit";

// The store tests' example. drizzle-kit resolves paths against the folder it runs in, the package
// root: `pnpm exec drizzle-kit generate --config test/drizzle.config.ts --name <name>` from packages/store.
export default defineConfig({
  dialect: "sqlite",
  schema: "./test/schema.fixture.ts",
  out: "./test/fixture-migrations",
});
