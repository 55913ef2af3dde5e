import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { eventually } from "@lag/testing";

/** The repository root: `node --import tsx` resolves tsx from the working directory. */
export const root = resolve(import.meta.dirname, "../../..");
const MAIN = "packages/cli/src/main.ts";

/**
 * A config file of its own, so a `./lag.yaml` or `LAG_CONFIG` of the machine running the tests
 * never decides where the CLI connects.
 */
const emptyConfig = join(mkdtempSync(join(tmpdir(), "lag-cli-")), "lag.yaml");
writeFileSync(emptyConfig, "log:\n  level: info\n");

/** The environment of the test runner without any NATS or LAG settings of its own. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(NATS_|LAG_|LAG__|FORCE_COLOR|NO_COLOR)/.test(k)));
  return { ...env, LAG_CONFIG: emptyConfig, ...extra };
}

export interface LagResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The real CLI as a child process. Asynchronous on purpose: the test process serves the services
 * the CLI calls, so its event loop must keep running while the CLI waits for a reply.
 */
export class LagProcess {
  stdout = "";
  stderr = "";
  readonly child: ChildProcess;
  readonly done: Promise<LagResult>;

  constructor(args: readonly string[], env: NodeJS.ProcessEnv, opts: { input?: string; entry?: string[] } = {}) {
    this.child = spawn(process.execPath, [...(opts.entry ?? ["--import", "tsx", MAIN]), ...args], {
      cwd: root,
      env,
      stdio: [opts.input !== undefined ? "pipe" : "ignore", "pipe", "pipe"],
    });
    if (opts.input !== undefined) this.child.stdin!.end(opts.input);
    this.child.stdout!.on("data", (b: Buffer) => (this.stdout += b.toString()));
    this.child.stderr!.on("data", (b: Buffer) => (this.stderr += b.toString()));
    this.done = new Promise((res) => this.child.once("close", (code) => res({ code, stdout: this.stdout, stderr: this.stderr })));
  }

  waitForStderr(text: string, timeoutMs = 20_000): Promise<true> {
    return eventually(() => this.stderr.includes(text), timeoutMs, `stderr to contain ${JSON.stringify(text)}; got:\n${this.stderr}`);
  }

  /** Ends a hung CLI so a failing test reports instead of timing out. */
  async result(timeoutMs = 30_000): Promise<LagResult> {
    const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
    try {
      return await this.done;
    } finally {
      clearTimeout(timer);
    }
  }
}

export function lag(args: readonly string[], env: NodeJS.ProcessEnv, opts: { input?: string } = {}): Promise<LagResult> {
  return new LagProcess(args, env, opts).result();
}

/** Parses JSON output, showing what the CLI printed when it is not JSON. */
export function jsonOf<T>(r: LagResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
}
