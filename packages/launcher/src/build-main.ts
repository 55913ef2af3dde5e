/**
 * `pnpm build`: compiles every agent process to dist/<process>.mjs, as `npm start` does at each
 * start, for running them without the launcher (systemd units, Compose):
 *
 *   node --max-semi-space-size=1 dist/it-monitor.mjs
 *
 * The bundles import the dependencies from this checkout's node_modules by absolute path: build
 * again after `pnpm install` or moving the checkout.
 */
import { join, relative } from "node:path";
import { bundleProcesses } from "./build.ts";
import { repoRoot } from "./nats-server.ts";
import { discoverProcesses } from "./processes.ts";
import { NODE_FLAGS } from "./supervisor.ts";

const procs = discoverProcesses(repoRoot);
try {
  const bundles = await bundleProcesses(procs, join(repoRoot, "dist"));
  for (const p of procs)
    process.stdout.write(`${p.name.padEnd(12)} node ${NODE_FLAGS.join(" ")} ${relative(process.cwd(), bundles.get(p.name)!)}\n`);
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
}
