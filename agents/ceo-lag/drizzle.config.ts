import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/inbox/schema.ts",
  out: "./drizzle",
});
