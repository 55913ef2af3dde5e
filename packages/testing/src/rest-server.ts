import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findProgram } from "@lag/command";
import { freePort } from "@lag/launcher";
import { eventually } from "./wait.ts";

export interface TestRestServer {
  /** `rest:http://127.0.0.1:<port>/` — a restic repository URL (add a path for more than one). */
  url: string;
  dir: string;
  stop(): Promise<void>;
}

/**
 * A real restic REST server (Debian's restic-rest-server, put in .tools/bin by the setup) on a free
 * loopback port, storing under a temporary folder: the off-site repository of the backup tests.
 */
export async function startRestServer(): Promise<TestRestServer> {
  const program = findProgram("rest-server", "LAG_REST_SERVER");
  const dir = mkdtempSync(join(tmpdir(), "lag-rest-"));
  const port = await freePort();
  let out = "";
  const child: ChildProcess = spawn(program, ["--path", dir, "--listen", `127.0.0.1:${port}`, "--no-auth"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (b: Buffer) => (out += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (out += b.toString()));
  await eventually(
    async () => (await fetch(`http://127.0.0.1:${port}/`, { method: "HEAD" }).catch(() => undefined)) !== undefined,
    10_000,
    `rest-server to listen on ${port}; it said: ${out}`,
  );
  return {
    url: `rest:http://127.0.0.1:${port}/`,
    dir,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}
