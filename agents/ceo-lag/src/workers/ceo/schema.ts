// CEO_LAG's SQLite file: one schema object for the worker's store and drizzle-kit.
export { approvals } from "./approvals/schema.ts";
export { inbox } from "./inbox/schema.ts";
export { dailyReports } from "./reports/schema.ts";
