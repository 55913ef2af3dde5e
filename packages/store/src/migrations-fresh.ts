import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { runCommand } from "@lag/command";
import { StoreError } from "./errors.ts";

export interface FreshnessOptions {
  /**
   * The folder drizzle-kit runs in, which its relative `schema` and `out` are resolved against: by
   * default the package root (the nearest folder with a package.json), where `pnpm exec` runs it.
   */
  cwd?: string;
  /** drizzle-kit asks about renames on a terminal; without one it would wait forever. */
  timeoutMs?: number;
}

export interface Freshness {
  /** True when drizzle-kit finds nothing to generate: the checked-in migrations match the schema. */
  fresh: boolean;
  /** Files drizzle-kit would add to the migrations folder (paths inside it). */
  added: string[];
  /** What drizzle-kit printed. */
  output: string;
}

interface DrizzleConfigShape {
  schema?: string | string[];
  out?: string;
  [key: string]: unknown;
}

/**
 * Runs `drizzle-kit generate` for a package's drizzle.config.ts against a temporary copy of its
 * migrations folder (the real one is never written) and reports whether it would add a migration.
 * A test calling this fails when someone changed a schema and forgot to generate the migration.
 */
export async function checkMigrationsFresh(configFile: string, opts: FreshnessOptions = {}): Promise<Freshness> {
  const configPath = resolve(configFile);
  const cwd = resolve(opts.cwd ?? packageRoot(configPath));
  const config = await loadDrizzleConfig(configPath);
  const out = resolve(cwd, config.out ?? "drizzle");
  const tmp = mkdtempSync(join(tmpdir(), "lag-drizzle-fresh-"));
  try {
    const tmpOut = join(tmp, "migrations");
    if (existsSync(out)) cpSync(out, tmpOut, { recursive: true });
    else mkdirSync(tmpOut);
    const tmpConfig = join(tmp, "drizzle.config.ts");
    // drizzle-kit prefixes `out` with "./", so an absolute path breaks: it gets one relative to cwd.
    writeFileSync(tmpConfig, `export default ${JSON.stringify({ ...config, out: relative(cwd, tmpOut) }, null, 2)};\n`);
    const before = new Set(listFiles(tmpOut));
    const { code, output } = await runDrizzleKit(["generate", "--config", tmpConfig], cwd, opts.timeoutMs ?? 120_000);
    const added = listFiles(tmpOut).filter((f) => !before.has(f));
    // drizzle-kit 0.31 prints some failures and still exits 0: "fresh" needs its explicit word for it.
    const saysFresh = /No schema changes, nothing to migrate/.test(output);
    if (code !== 0 || (added.length === 0 && !saysFresh)) {
      throw new StoreError(
        configPath,
        `drizzle-kit generate failed (exit ${code}) for ${configPath}; fix the error below and run it by hand in ${cwd}:\n${output}`,
      );
    }
    return { fresh: added.length === 0, added, output };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function loadDrizzleConfig(configPath: string): Promise<DrizzleConfigShape> {
  if (!existsSync(configPath))
    throw new StoreError(configPath, `${configPath} not found: pass the path of the package's drizzle.config.ts`);
  const mod = (await import(pathToFileURL(configPath).href)) as { default?: DrizzleConfigShape };
  if (!mod.default || typeof mod.default !== "object") {
    throw new StoreError(
      configPath,
      `${configPath} has no default export: write \`export default defineConfig({ dialect, schema, out })\``,
    );
  }
  return mod.default;
}

function packageRoot(configPath: string): string {
  for (let dir = dirname(configPath); ; dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
    if (dirname(dir) === dir) return dirname(configPath);
  }
}

function listFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** drizzle-kit as installed beside this package, run with the same node (no pnpm or npx needed). */
function drizzleKitBin(): string {
  const entry = createRequire(import.meta.url).resolve("drizzle-kit");
  return join(dirname(entry), "bin.cjs");
}

async function runDrizzleKit(args: string[], cwd: string, timeoutMs: number): Promise<{ code: number; output: string }> {
  const lines: string[] = [];
  const r = await runCommand(process.execPath, [drizzleKitBin(), ...args], {
    cwd,
    env: { NO_COLOR: "1" },
    timeoutMs,
    onLine: (l) => lines.push(l),
  });
  const output = lines.join("\n");
  if (r.timedOut) {
    throw new StoreError(
      cwd,
      `drizzle-kit generate did not finish within ${timeoutMs} ms (is it asking about a rename? run it by hand in ${cwd}):\n${output}`,
    );
  }
  return { code: r.code ?? 1, output };
}
