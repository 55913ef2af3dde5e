import { spawn } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

export interface CommandOptions {
  cwd?: string;
  /** Added to the environment (this process's own unless `inheritEnv: false`); undefined removes a variable. */
  env?: Record<string, string | undefined>;
  inheritEnv?: boolean;
  /**
   * Secrets in environment variables (`RESTIC_PASSWORD`): readable only by the same user and root in
   * /proc/<pid>/environ, never in the command line that `ps` shows to everyone.
   */
  secretEnv?: Record<string, string>;
  /**
   * A secret written to a pipe the program reads as `/dev/fd/3` (`restic --password-file /dev/fd/3`):
   * it exists in no file and no environment, and the program's own children do not inherit it.
   */
  secretFd?: string;
  /** What the program reads on stdin; nothing by default. */
  stdin?: string | Uint8Array | Readable;
  /** The program is stopped (SIGTERM, then SIGKILL after `killGraceMs`) when this passes. */
  timeoutMs?: number;
  /** Aborting stops the program the same way. */
  signal?: AbortSignal;
  killGraceMs?: number;
  /** Every complete line of output, as it comes (stdout lines that are JSON go to onJson instead, if given). */
  onLine?: (line: string, stream: "stdout" | "stderr") => void;
  /** Every stdout line that parses as JSON (restic --json, docker … --format '{{json .}}'). */
  onJson?: (value: unknown) => void;
  /** Every chunk of stdout as it comes, bytes as they are (hashing a `restic dump` without holding it). */
  onStdout?: (chunk: Buffer) => void;
  /** How much of stdout and of stderr is kept in the result: the last bytes. 1 MiB each by default. */
  maxBuffer?: number;
  /** Exit codes that count as success for `check` (restic: 3 is "some files unreadable"). */
  okCodes?: readonly number[];
  /** Throw CommandFailedError unless the program exited with an ok code. */
  check?: boolean;
  /** Called once the program runs, with its pid. */
  onSpawn?: (pid: number) => void;
}

export interface CommandResult {
  /** The command line as shown in errors and logs (never holds a secret: see runCommand). */
  command: string;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last `maxBuffer` bytes of each stream; `truncated` says whether anything was dropped before them. */
  stdout: string;
  stderr: string;
  truncated: { stdout: boolean; stderr: boolean };
  bytes: { stdout: number; stderr: number };
  durationMs: number;
  timedOut: boolean;
  aborted: boolean;
  /** Exited with an ok code, not stopped by timeout or abort. */
  ok: boolean;
}

export class CommandError extends Error {
  override readonly name: string = "CommandError";
  constructor(
    readonly code: "LAG_COMMAND_NOT_FOUND" | "LAG_COMMAND_SPAWN" | "LAG_COMMAND_SECRET" | "LAG_COMMAND_FAILED",
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A program that ran and did not succeed; `result` holds its output. */
export class CommandFailedError extends CommandError {
  override readonly name = "CommandFailedError";
  constructor(readonly result: CommandResult) {
    super("LAG_COMMAND_FAILED", `${result.command}: ${howItEnded(result)}${lastWords(result.stderr)}`);
  }
}

export function howItEnded(r: Pick<CommandResult, "timedOut" | "aborted" | "code" | "signal" | "durationMs">): string {
  if (r.timedOut) return `timed out after ${r.durationMs} ms`;
  if (r.aborted) return "stopped (aborted)";
  if (r.signal) return `killed by ${r.signal}`;
  return `exited with code ${r.code}`;
}

function lastWords(stderr: string): string {
  const lines = stderr
    .trim()
    .split("\n")
    .filter((l) => l.trim().length > 0);
  return lines.length > 0 ? `: ${lines.slice(-3).join(" / ").slice(0, 600)}` : "";
}

/** Keeps the last `max` bytes written to it, and counts everything. */
class Tail {
  private chunks: Buffer[] = [];
  private kept = 0;
  total = 0;
  constructor(private readonly max: number) {}
  push(b: Buffer): void {
    this.total += b.length;
    this.chunks.push(b);
    this.kept += b.length;
    while (this.kept - this.chunks[0]!.length >= this.max) this.kept -= this.chunks.shift()!.length;
  }
  text(): string {
    const all = Buffer.concat(this.chunks);
    return all.subarray(Math.max(0, all.length - this.max)).toString("utf8");
  }
  get truncated(): boolean {
    return this.total > this.max;
  }
}

/** A line longer than this is cut: a program printing megabytes without a newline must not hold them all. */
const MAX_LINE = 64 * 1024;

function lineSplitter(onLine: (line: string) => void): { write(b: Buffer): void; end(): void } {
  const decoder = new StringDecoder("utf8");
  let partial = "";
  const emit = (line: string) => onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  return {
    write(b) {
      partial += decoder.write(b);
      let nl: number;
      while ((nl = partial.indexOf("\n")) >= 0) {
        emit(partial.slice(0, nl));
        partial = partial.slice(nl + 1);
      }
      if (partial.length > MAX_LINE) {
        emit(partial.slice(0, MAX_LINE));
        partial = "";
      }
    },
    end() {
      partial += decoder.end();
      if (partial.length > 0) emit(partial);
      partial = "";
    },
  };
}

const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

/**
 * Runs a program and resolves with how it ended — a non-zero exit is a result, not an exception,
 * unless `check` is set. Rejects only when it cannot start (CommandError: not installed, not
 * executable) or when a secret would appear on its command line.
 *
 * The program runs in its own process group, so a timeout or an abort stops what it started too
 * (`docker exec`, a shell pipeline): SIGTERM to the group, SIGKILL after the grace period.
 */
export function runCommand(file: string, args: readonly string[], opts: CommandOptions = {}): Promise<CommandResult> {
  const command = [file, ...args].map(quote).join(" ");
  const secrets = [...Object.values(opts.secretEnv ?? {}), ...(opts.secretFd !== undefined ? [opts.secretFd] : [])].filter(
    (s) => s.length > 0,
  );
  if (secrets.some((s) => args.some((a) => a.includes(s)) || file.includes(s))) {
    return Promise.reject(
      new CommandError("LAG_COMMAND_SECRET", `${file}: a secret is part of the command line; pass it with secretEnv or secretFd`),
    );
  }
  if (opts.signal?.aborted) return Promise.reject(new CommandError("LAG_COMMAND_SPAWN", `${command}: not started, already aborted`));
  const env: NodeJS.ProcessEnv = { ...(opts.inheritEnv === false ? {} : process.env) };
  for (const [k, v] of Object.entries({ ...opts.env, ...opts.secretEnv })) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const stdinKind = opts.stdin === undefined ? "ignore" : "pipe";
  const stdio: ("ignore" | "pipe")[] = [stdinKind, "pipe", "pipe", ...(opts.secretFd !== undefined ? (["pipe"] as const) : [])];
  const started = performance.now();
  const max = opts.maxBuffer ?? 1024 * 1024;

  return new Promise<CommandResult>((resolve, reject) => {
    let child;
    try {
      const [program, argv] = opts.secretFd === undefined ? [file, args] : throughPipe(file, args);
      child = spawn(program, argv, { cwd: opts.cwd, env, stdio, detached: true });
    } catch (err) {
      reject(new CommandError("LAG_COMMAND_SPAWN", `cannot run ${command}: ${(err as Error).message}`, { cause: err }));
      return;
    }
    const out = new Tail(max);
    const err = new Tail(max);
    let timedOut = false;
    let aborted = false;
    let spawned = false;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = () => {
      // The group, even when the leader has exited: what it started may still hold the pipes open.
      if (child.pid === undefined) return;
      signalGroup(child.pid, "SIGTERM");
      killTimer ??= setTimeout(() => signalGroup(child.pid!, "SIGKILL"), opts.killGraceMs ?? 2_000);
    };
    const onTimeout = () => {
      timedOut = true;
      stop();
    };
    const timer = opts.timeoutMs !== undefined ? setTimeout(onTimeout, opts.timeoutMs) : undefined;
    const onAbort = () => {
      aborted = true;
      stop();
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });

    const stdoutLines = lineSplitter((line) => {
      if (opts.onJson && (line.startsWith("{") || line.startsWith("["))) {
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          opts.onLine?.(line, "stdout");
          return;
        }
        opts.onJson(value);
        return;
      }
      opts.onLine?.(line, "stdout");
    });
    const stderrLines = lineSplitter((line) => opts.onLine?.(line, "stderr"));
    const wantLines = opts.onLine !== undefined || opts.onJson !== undefined;
    child.stdout!.on("data", (b: Buffer) => {
      out.push(b);
      opts.onStdout?.(b);
      if (wantLines) stdoutLines.write(b);
    });
    child.stderr!.on("data", (b: Buffer) => {
      err.push(b);
      if (opts.onLine) stderrLines.write(b);
    });

    child.once("spawn", () => {
      spawned = true;
      if (opts.secretFd !== undefined) {
        const pipe = child.stdio[3] as Writable;
        pipe.on("error", () => undefined); // the program may never read it
        pipe.end(opts.secretFd);
      }
      if (opts.stdin !== undefined) {
        const stdin = child.stdin!;
        stdin.on("error", () => undefined); // EPIPE: the program stopped reading
        if (typeof opts.stdin === "string" || opts.stdin instanceof Uint8Array) stdin.end(opts.stdin);
        else opts.stdin.pipe(stdin);
      }
      opts.onSpawn?.(child.pid!);
    });
    child.once("error", (e: NodeJS.ErrnoException) => {
      if (spawned) return; // a later error (a signal to a gone process) changes nothing; close still comes
      cleanup();
      const missing = e.code === "ENOENT";
      reject(
        new CommandError(
          missing ? "LAG_COMMAND_NOT_FOUND" : "LAG_COMMAND_SPAWN",
          missing ? `${file} is not installed or not on PATH` : `cannot run ${command}: ${e.message}`,
          { cause: e },
        ),
      );
    });
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener("abort", onAbort);
    };
    child.once("close", (code, signal) => {
      if (!spawned) return;
      cleanup();
      if (wantLines) stdoutLines.end();
      if (opts.onLine) stderrLines.end();
      // Through bash (secretFd), a missing program is bash's exit 127, not a spawn error.
      if (opts.secretFd !== undefined && code === 127 && /exec: .*(not found|No such file)/.test(err.text())) {
        reject(new CommandError("LAG_COMMAND_NOT_FOUND", `${file} is not installed or not on PATH`));
        return;
      }
      const okCodes = opts.okCodes ?? [0];
      const result: CommandResult = {
        command,
        code,
        signal,
        stdout: out.text(),
        stderr: err.text(),
        truncated: { stdout: out.truncated, stderr: err.truncated },
        bytes: { stdout: out.total, stderr: err.total },
        durationMs: Math.round(performance.now() - started),
        timedOut,
        aborted,
        ok: !timedOut && !aborted && code !== null && okCodes.includes(code),
      };
      if (opts.check && !result.ok) reject(new CommandFailedError(result));
      else resolve(result);
    });
  });
}

/**
 * Node hands a child its extra stdio as socket pairs, and a program that opens `/dev/fd/3` by path
 * (as `--password-file` does) cannot open a socket (ENXIO). bash turns it into a real pipe — a
 * process substitution whose `cat` copies the socket into it — and then execs the program, which
 * keeps the pid, the arguments and the exit status; the secret is on no command line. Unlike a
 * named pipe, an anonymous one opens without waiting for a writer, so a program that opens it
 * after `cat` has finished still reads the secret.
 */
function throughPipe(file: string, args: readonly string[]): [string, string[]] {
  return ["bash", ["-c", 'exec 3< <(exec cat <&3); exec "$@"', file, file, ...args]];
}

/** Signals the whole process group; the leader alone when the group is gone already. */
function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}
