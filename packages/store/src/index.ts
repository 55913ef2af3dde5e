export type { Store, StoreOptions } from "./store.ts";
export { openStore } from "./store.ts";
export { StoreError } from "./errors.ts";
export type { Freshness, FreshnessOptions } from "./migrations-fresh.ts";
export { checkMigrationsFresh } from "./migrations-fresh.ts";
