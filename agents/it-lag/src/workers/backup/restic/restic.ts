import { createHash } from "node:crypto";
import { runCommand, type CommandResult } from "@lag/command";
import { reachable } from "./reachable.ts";
import type { z } from "zod";
import {
  BackupError,
  BackupStatus,
  BackupSummary,
  CheckSummary,
  ExitError,
  ForgetGroup,
  Node,
  RestoreStatus,
  RestoreSummary,
  Snapshot,
} from "./messages.ts";

/** Where a repository is and how to open it. The password never reaches a command line or a log. */
export interface Repository {
  name: string;
  /** Any restic repository: a path, `sftp:host:/path`, `rest:http://host:8000/`, `s3:…`. */
  url: string;
  /** A file holding the password (handed to restic by path), or an environment variable holding it (sent through a pipe). */
  password: { file: string } | { env: string };
  /** Further variables restic needs for the backend (`AWS_ACCESS_KEY_ID` …), by name → the variable holding it here. */
  env?: Record<string, string>;
  /** How long a network repository's server may take to accept a connection before it counts as unreachable (60 s). */
  probeTimeout?: number;
  /** restic's extended options (`-o sftp.command=…`, `-o rest.connections=4`); on the command line, so never a secret. */
  options?: Record<string, string>;
}

export type ResticFailure =
  | "no-repository"
  | "locked"
  | "wrong-password"
  | "interrupted"
  | "unreadable-files"
  | "failed"
  | "missing-secret"
  | "unreachable";

const HINTS: Record<ResticFailure, string> = {
  "no-repository": "the repository does not exist: create it with `lag backup init <plan>`",
  locked: "the repository is locked by another run; a lock left by a killed run is cleared at the next run",
  "wrong-password": "the password does not open this repository: check the password file or variable of the repository",
  interrupted: "restic was interrupted",
  "unreadable-files": "some source files could not be read",
  failed: "restic failed",
  "missing-secret": "the repository's password is not set",
  unreachable: "the repository did not answer: is its server (the NAS, the REST server) up and reachable from here?",
};

/** restic's exit codes (≥ 0.17): 10 no repository, 11 lock failed, 12 wrong password, 130 interrupted. */
export function failureOf(code: number | null): ResticFailure {
  if (code === 10) return "no-repository";
  if (code === 11) return "locked";
  if (code === 12) return "wrong-password";
  if (code === 130) return "interrupted";
  if (code === 3) return "unreadable-files";
  return "failed";
}

export class ResticError extends Error {
  override readonly name = "ResticError";
  constructor(
    readonly failure: ResticFailure,
    readonly repository: string,
    /** restic's own words (its exit_error message, or the end of stderr). */
    readonly detail: string,
    readonly code: number | null,
  ) {
    super(`${repository}: ${HINTS[failure]}${detail ? ` (${detail})` : ""}`);
  }
}

export interface BackupInput {
  paths: readonly string[];
  excludes?: readonly string[];
  tags?: readonly string[];
  host: string;
  /** `--stdin-from-command`: the command's stdout is stored as `filename`; its failure fails the backup. */
  stdinFromCommand?: { command: readonly string[]; filename: string };
  timeoutMs?: number;
  /** The snapshot's time, when it is not now (importing an old copy). */
  time?: Date;
  signal?: AbortSignal;
  onStatus?: (s: BackupStatus) => void;
  onSpawn?: (pid: number) => void;
}

export interface BackupOutcome {
  summary: z.infer<typeof BackupSummary>;
  /** Files restic could not read (exit 3): the snapshot was made without them. */
  unreadable: string[];
  durationMs: number;
}

export interface RetentionPolicy {
  last?: number;
  hourly?: number;
  daily?: number;
  weekly?: number;
  monthly?: number;
  yearly?: number;
}

/** What restic (and a dump command it runs) may see of this process's environment. */
const INHERITED = [
  "PATH",
  "HOME",
  "USER",
  "LOGNAME",
  "LANG",
  "LC_ALL",
  "TZ",
  "TMPDIR",
  "XDG_CACHE_HOME",
  "SSH_AUTH_SOCK",
  "HTTP_PROXY",
  "HTTPS_PROXY",
  "NO_PROXY",
  "http_proxy",
  "https_proxy",
  "no_proxy",
  "DOCKER_CONFIG",
] as const;

/** The version of a restic binary (`0.18.0`). */
export async function resticVersion(binary: string): Promise<string> {
  const r = await runCommand(binary, ["version"], { timeoutMs: 10_000, inheritEnv: false, env: { PATH: process.env.PATH } });
  const m = /restic (\d+\.\d+\.\d+)/.exec(r.stdout);
  if (!r.ok || !m) throw new Error(`${binary} version: ${r.stderr.trim() || "no version printed"}`);
  return m[1]!;
}

/**
 * One restic repository, driven through restic's `--json` output. A run's outcome is its exit code
 * **and** its summary together: a summary without exit 0 (or 3) is a failure, exit 0 without a
 * summary is a failure too (resticprofile's #332 reported success on failure by reading one).
 * Any command that finds the repository locked clears the stale locks and tries once more; a
 * network repository that does not answer fails in seconds, not after restic's 15 minutes.
 */
export class Restic {
  constructor(private readonly o: { binary: string; repo: Repository; cacheDir?: string; env?: NodeJS.ProcessEnv }) {}

  get name(): string {
    return this.o.repo.name;
  }

  /** Creates the repository; false when it existed already. */
  async init(): Promise<boolean> {
    try {
      await this.snapshotsOrThrow([]);
      return false;
    } catch (err) {
      if (!(err instanceof ResticError) || err.failure !== "no-repository") throw err;
    }
    await this.run(["init"], { timeoutMs: 120_000 });
    return true;
  }

  async backup(b: BackupInput): Promise<BackupOutcome> {
    let summary: z.infer<typeof BackupSummary> | undefined;
    const unreadable: string[] = [];
    const args = [
      "backup",
      "--host",
      b.host,
      ...(b.tags ?? []).flatMap((t) => ["--tag", t]),
      ...(b.excludes ?? []).flatMap((e) => ["--exclude", e]),
      // restic reads it in the local time zone, which it shares with this process: "2026-11-30 03:00:00".
      ...(b.time ? ["--time", b.time.toLocaleString("sv-SE")] : []),
    ];
    if (b.stdinFromCommand)
      args.push("--stdin-filename", b.stdinFromCommand.filename, "--stdin-from-command", "--", ...b.stdinFromCommand.command);
    else args.push("--", ...b.paths);
    const r = await this.run(args, {
      okCodes: [0, 3],
      ...(b.timeoutMs ? { timeoutMs: b.timeoutMs } : {}),
      ...(b.signal ? { signal: b.signal } : {}),
      ...(b.onSpawn ? { onSpawn: b.onSpawn } : {}),
      onJson: (v) => {
        const s = BackupStatus.safeParse(v);
        if (s.success) return b.onStatus?.(s.data);
        const sum = BackupSummary.safeParse(v);
        if (sum.success) summary = sum.data;
        const e = BackupError.safeParse(v);
        if (e.success && e.data.item) unreadable.push(e.data.item);
      },
    });
    if (!summary?.snapshot_id) throw new ResticError("failed", this.name, `exited ${r.code} without a snapshot in its summary`, r.code);
    return { summary, unreadable, durationMs: r.durationMs };
  }

  async snapshots(tags: readonly string[] = []): Promise<Snapshot[]> {
    return this.snapshotsOrThrow(tags);
  }

  private async snapshotsOrThrow(tags: readonly string[]): Promise<Snapshot[]> {
    const r = await this.run(["snapshots", ...tags.flatMap((t) => ["--tag", t])], { timeoutMs: 120_000 });
    return parseDocument(r, (v) => (Array.isArray(v) ? v.map((x) => Snapshot.parse(x)) : []), this.name);
  }

  /** `forget` by the policy (only snapshots with all `tags`), grouped by host and paths; `prune` after it unless a dry run. */
  async forget(
    policy: RetentionPolicy,
    opts: { tags?: readonly string[]; dryRun?: boolean; prune?: boolean; signal?: AbortSignal; onSpawn?: (pid: number) => void },
  ): Promise<{ keep: Snapshot[]; remove: Snapshot[] }> {
    const keep = Object.entries(policy).flatMap(([k, n]) => (n ? [`--keep-${k}`, String(n)] : []));
    const common = { ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.onSpawn ? { onSpawn: opts.onSpawn } : {}) };
    const r = await this.run(
      ["forget", ...keep, ...(opts.tags?.length ? ["--tag", opts.tags.join(",")] : []), ...(opts.dryRun ? ["--dry-run"] : [])],
      { timeoutMs: 600_000, ...common },
    );
    const groups = parseDocument(r, (v) => (Array.isArray(v) ? v.map((g) => ForgetGroup.parse(g)) : []), this.name);
    const out = { keep: groups.flatMap((g) => g.keep ?? []), remove: groups.flatMap((g) => g.remove ?? []) };
    // `prune --json` prints nothing useful in any release: run it on its own, judged by its exit code.
    if (!opts.dryRun && opts.prune !== false && out.remove.length > 0) await this.run(["prune"], { timeoutMs: 3_600_000, ...common });
    return out;
  }

  /** `check`, reading `subset` of the data (`3/7`, `10%`), or only the metadata. */
  async check(
    opts: { subset?: string; signal?: AbortSignal } = {},
  ): Promise<{ ok: boolean; errors: number; brokenPacks: string[]; detail: string }> {
    let summary: z.infer<typeof CheckSummary> | undefined;
    const r = await this.run(["check", ...(opts.subset ? ["--read-data-subset", opts.subset] : [])], {
      okCodes: [0, 1],
      timeoutMs: 6 * 3_600_000,
      ...(opts.signal ? { signal: opts.signal } : {}),
      onJson: (v) => {
        const s = CheckSummary.safeParse(v);
        if (s.success) summary = s.data;
      },
    });
    const ok = r.code === 0 && (summary?.num_errors ?? 0) === 0;
    return {
      ok,
      errors: summary?.num_errors ?? (ok ? 0 : 1),
      brokenPacks: summary?.broken_packs ?? [],
      detail: ok ? "" : lastLines(r.stderr),
    };
  }

  async restore(
    snapshot: string,
    target: string,
    opts: {
      include?: readonly string[];
      /** Reads every restored file back and checks it against the snapshot's content hashes; a difference fails the restore. */
      verify?: boolean;
      signal?: AbortSignal;
      onStatus?: (s: z.infer<typeof RestoreStatus>) => void;
    } = {},
  ): Promise<z.infer<typeof RestoreSummary>> {
    let summary: z.infer<typeof RestoreSummary> | undefined;
    const args = ["restore", snapshot, "--target", target, ...(opts.verify ? ["--verify"] : [])];
    await this.run([...args, ...(opts.include ?? []).flatMap((p) => ["--include", p])], {
      ...(opts.signal ? { signal: opts.signal } : {}),
      onJson: (v) => {
        const s = RestoreStatus.safeParse(v);
        if (s.success && s.data.percent_done < 1) return opts.onStatus?.(s.data);
        const sum = RestoreSummary.safeParse(v);
        if (sum.success) summary = sum.data;
      },
    });
    if (!summary) throw new ResticError("failed", this.name, "restore printed no summary", 0);
    return summary;
  }

  /** The files of a snapshot (regular files only, with their size). */
  async files(snapshot: string): Promise<{ path: string; size: number }[]> {
    const out: { path: string; size: number }[] = [];
    await this.run(["ls", snapshot], {
      onJson: (v) => {
        const n = Node.safeParse(v);
        if (n.success && n.data.type === "file") out.push({ path: n.data.path, size: n.data.size ?? 0 });
      },
    });
    return out;
  }

  /** SHA-256 of one file as the snapshot holds it (`restic dump`), read as it streams. */
  async sha256(snapshot: string, path: string): Promise<string> {
    const hash = createHash("sha256");
    // The file's bytes are stdout: no --json, and nothing of them kept beyond the hash.
    await this.run(["dump", snapshot, path], { json: false, onStdout: (b) => hash.update(b) });
    return hash.digest("hex");
  }

  /** Removes stale locks only (those of dead processes, or older than 30 min): a running backup's lock stays. */
  async unlock(): Promise<void> {
    await this.run(["unlock"], { timeoutMs: 120_000 });
  }

  /**
   * restic's environment, built from nothing: what a program needs to run (PATH, HOME, locale,
   * proxies, the ssh agent), the cache, and the backend variables this repository names. Nothing
   * else of this process is inherited — above all no other repository's secret.
   */
  private environment(): { env: Record<string, string | undefined>; inheritEnv: false; secretFd?: string } {
    const own = process.env;
    const env: Record<string, string | undefined> = {};
    for (const k of INHERITED) if (own[k] !== undefined) env[k] = own[k];
    if (this.o.cacheDir) env.RESTIC_CACHE_DIR = this.o.cacheDir;
    const source = this.o.env ?? process.env;
    for (const [name, from] of Object.entries(this.o.repo.env ?? {})) env[name] = source[from];
    const p = this.o.repo.password;
    if ("file" in p) return { env: { ...env, RESTIC_PASSWORD_FILE: p.file }, inheritEnv: false };
    const value = source[p.env];
    if (!value) throw new ResticError("missing-secret", this.name, `environment variable ${p.env} is empty or unset`, null);
    // Through a pipe: in no file, no command line, no environment.
    return { env, inheritEnv: false, secretFd: value };
  }

  private repositoryArgs(): string[] {
    return ["-r", this.o.repo.url, ...Object.entries(this.o.repo.options ?? {}).flatMap(([k, v]) => ["-o", `${k}=${v}`])];
  }

  /** Fails fast, and says so, when a network repository's server does not answer. */
  private async ensureReachable(): Promise<void> {
    // A command of its own for the SFTP connection (a port, a key, a jump host): where it goes is its business.
    if (this.o.repo.options?.["sftp.command"]) return;
    const r = await reachable(this.o.repo.url, this.o.repo.probeTimeout ?? 60_000);
    if (!r.ok) throw new ResticError("unreachable", this.name, r.why, null);
  }

  private async run(
    args: readonly string[],
    opts: {
      okCodes?: readonly number[];
      timeoutMs?: number;
      signal?: AbortSignal;
      onJson?: (v: unknown) => void;
      onSpawn?: (pid: number) => void;
      /** false: stdout is data (`dump`), streamed to `onStdout` and not kept. */
      json?: boolean;
      onStdout?: (chunk: Buffer) => void;
      /** Set on the second attempt, after stale locks were cleared. */
      unlocked?: boolean;
    } = {},
  ): Promise<CommandResult> {
    await this.ensureReachable();
    const env = this.environment();
    const passwordArgs = env.secretFd !== undefined ? ["--password-file", "/dev/fd/3"] : [];
    const json = opts.json !== false;
    const r = await runCommand(this.o.binary, [...this.repositoryArgs(), ...(json ? ["--json"] : []), ...passwordArgs, ...args], {
      ...env,
      ...(opts.onStdout ? { onStdout: opts.onStdout, maxBuffer: 4096 } : {}),
      ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onJson ? { onJson: opts.onJson } : {}),
      ...(opts.onSpawn ? { onSpawn: opts.onSpawn } : {}),
      okCodes: opts.okCodes ?? [0],
      killGraceMs: 10_000,
    });
    if (r.ok) return r;
    const err = this.errorOf(r);
    // Locked: clear the stale locks (a killed run's; `unlock` leaves a live run's alone) and try once more.
    // A lock left by a crash costs one retry this way, and nothing when there is none.
    if (err.failure !== "locked" || opts.unlocked || args[0] === "unlock") throw err;
    await this.unlock();
    return this.run(args, { ...opts, unlocked: true });
  }

  private errorOf(r: CommandResult): ResticError {
    if (r.aborted) return new ResticError("interrupted", this.name, "stopped", r.code);
    if (r.timedOut) return new ResticError("failed", this.name, `timed out after ${Math.round(r.durationMs / 1000)} s`, r.code);
    // restic ≥ 0.18 writes its fatal error as JSON on stderr.
    let detail = lastLines(r.stderr);
    for (const line of r.stderr.split("\n")) {
      const e = ExitError.safeParse(safeJson(line));
      if (e.success) detail = e.data.message.replace(/^Fatal: /, "").split("\n")[0]!;
    }
    return new ResticError(failureOf(r.code), this.name, detail, r.code);
  }
}

function parseDocument<T>(r: CommandResult, parse: (v: unknown) => T, repo: string): T {
  const text = r.stdout
    .trim()
    .split("\n")
    .find((l) => l.startsWith("[") || l.startsWith("{"));
  try {
    return parse(JSON.parse(text ?? "null"));
  } catch (err) {
    throw new ResticError("failed", repo, `unexpected output: ${(err as Error).message}`, r.code);
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function lastLines(s: string): string {
  return s
    .trim()
    .split("\n")
    .filter((l) => l.trim() && !l.startsWith("{"))
    .slice(-3)
    .join(" / ")
    .slice(0, 600);
}
