/**
 * A baseline process for bench/monitor: started as the launcher starts a worker (`node --import tsx`),
 * it does nothing but stay alive. With `--load`, it first imports the monitor's whole module graph
 * (worker.ts: zod schemas, dockerode, drizzle, better-sqlite3, the bus) without starting anything, so
 * the RSS of the code alone shows between the idle floor and the running monitor.
 */
if (process.argv.includes("--load")) await import("../../src/workers/monitor/worker.ts");
setInterval(() => undefined, 1 << 30);
process.on("SIGTERM", () => process.exit(0));
