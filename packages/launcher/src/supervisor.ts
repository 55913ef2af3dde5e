import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, type WriteStream } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Backoff } from "@lag/async";
import type { ProcessEntry } from "./processes.ts";

export const EXIT_CONFIG = 78;

/**
 * V8's young generation defaults to 16 MiB semi-spaces, sized for throughput; an agent allocates
 * little, and 1 MiB semi-spaces take a monitor's resident-memory peaks down by about 15 MiB
 * (103 → 88 MiB) at no measurable CPU cost: 0.35 % of a core against 0.42 % with the default in
 * the same run (bench/README.md, "bench/monitor").
 */
export const NODE_FLAGS = ["--max-semi-space-size=1"];

/** `node` arguments for a process: its bundle, or its TypeScript entry through tsx. */
export function nodeArgs(proc: ProcessEntry, script?: string): string[] {
  return script ? [...NODE_FLAGS, script] : [...NODE_FLAGS, "--import", "tsx", proc.entry];
}

export interface SupervisorOptions {
  root: string;
  logsDir: string;
  env: NodeJS.ProcessEnv;
  /** Receives every output line of a process, already tagged with its name. */
  onLine: (name: string, line: string) => void;
  onEvent: (name: string, event: string) => void;
  /** The module node runs: the process's bundle (build.ts), or its TypeScript entry through tsx when there is none. */
  script?: string;
  restart: { initialDelayMs: number; maxDelayMs: number; stableAfterMs: number };
}

/**
 * Keeps one agent process running: restarts it when it dies, with exponential back-off that
 * resets once it has run stably. A process that exits with EX_CONFIG (78) is not restarted:
 * its configuration is wrong and restarting cannot fix it.
 */
export class Supervised {
  private child?: ChildProcess;
  private stopping = false;
  private readonly backoff: Backoff;
  private timer?: NodeJS.Timeout;
  private readonly log: WriteStream;
  restarts = 0;
  lastExit?: number | null;
  readonly exitedForGood: Promise<number | null>;
  private resolveForGood!: (code: number | null) => void;

  constructor(
    readonly proc: ProcessEntry,
    private readonly opts: SupervisorOptions,
  ) {
    this.backoff = new Backoff({ initialMs: opts.restart.initialDelayMs, maxMs: opts.restart.maxDelayMs, jitter: 0 });
    this.log = createWriteStream(join(opts.logsDir, `${proc.name}.log`), { flags: "a" });
    this.exitedForGood = new Promise((r) => (this.resolveForGood = r));
  }

  start(): void {
    const started = Date.now();
    const child = spawn(process.execPath, nodeArgs(this.proc, this.opts.script), {
      cwd: this.opts.root,
      env: this.opts.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child = child;
    this.opts.onEvent(this.proc.name, `running (pid ${child.pid})`);
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        this.log.write(`${line}\n`);
        this.opts.onLine(this.proc.name, line);
      });
    }
    child.once("exit", (code, signal) => {
      this.child = undefined;
      this.lastExit = code;
      if (this.stopping) {
        this.resolveForGood(code);
        return;
      }
      if (code === EXIT_CONFIG) {
        this.opts.onEvent(this.proc.name, "configuration is invalid (see above); not restarting");
        this.resolveForGood(code);
        return;
      }
      if (Date.now() - started > this.opts.restart.stableAfterMs) this.backoff.succeeded();
      const delay = this.backoff.failed();
      this.opts.onEvent(this.proc.name, `exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
      this.restarts++;
      this.timer = setTimeout(() => this.start(), delay);
    });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** SIGTERM (drain and exit), SIGKILL after the grace period. */
  async stop(graceMs: number): Promise<number | null> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    const child = this.child;
    if (!child) {
      this.resolveForGood(this.lastExit ?? 0);
    } else {
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await this.exitedForGood;
      clearTimeout(kill);
    }
    this.log.end();
    return this.exitedForGood;
  }

  kill(): void {
    this.stopping = true;
    this.child?.kill("SIGKILL");
  }
}
