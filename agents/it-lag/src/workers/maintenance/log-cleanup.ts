import { readdir, stat, truncate, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { CleanedPath } from "@lag/contracts";

export interface CleanupRule {
  path: string;
  match: string;
  maxAge?: number;
  maxBytes?: number;
}

/** `*.log*` → a regular expression over a file name (`*` any run of characters, `?` one). */
export function globRegex(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** A file written to within this long counts as open by its writer: it is emptied in place, not unlinked, so its space really comes back. */
const ACTIVE_MS = 10 * 60_000;

/**
 * One folder's logs (not its subfolders): files matching the pattern older than `maxAge` are
 * removed; then, while the folder's matching files pass `maxBytes`, the oldest go. A file still
 * being written (LAG's own `<process>.log`, opened for append) is emptied in place instead: a
 * writer holding it open would keep an unlinked file's space.
 */
export async function cleanFolder(rule: CleanupRule, now: number): Promise<CleanedPath> {
  const out: CleanedPath = { path: rule.path, removed: 0, bytesFreed: 0, kept: 0, keptBytes: 0, errors: [] };
  let names: string[];
  try {
    names = await readdir(rule.path);
  } catch (err) {
    out.errors.push((err as NodeJS.ErrnoException).code === "ENOENT" ? `${rule.path} does not exist` : (err as Error).message);
    return out;
  }
  const re = globRegex(rule.match);
  const files: { path: string; size: number; mtime: number }[] = [];
  for (const n of names) {
    if (!re.test(n)) continue;
    const p = join(rule.path, n);
    try {
      const st = await stat(p);
      if (st.isFile()) files.push({ path: p, size: st.size, mtime: st.mtimeMs });
    } catch (err) {
      out.errors.push(`${p}: ${(err as Error).message}`);
    }
  }
  files.sort((a, b) => a.mtime - b.mtime);
  const drop = async (f: (typeof files)[number]) => {
    try {
      if (now - f.mtime < ACTIVE_MS) await truncate(f.path, 0);
      else await unlink(f.path);
      out.removed++;
      out.bytesFreed += f.size;
      return true;
    } catch (err) {
      out.errors.push(`${f.path}: ${(err as Error).message}`);
      return false;
    }
  };
  const left: typeof files = [];
  for (const f of files) {
    if (rule.maxAge !== undefined && now - f.mtime > rule.maxAge && (await drop(f))) continue;
    left.push(f);
  }
  let total = left.reduce((s, f) => s + f.size, 0);
  const kept: typeof files = [];
  for (const f of left) {
    if (rule.maxBytes !== undefined && total > rule.maxBytes && f.size > 0 && (await drop(f))) {
      total -= f.size;
      continue;
    }
    kept.push(f);
  }
  out.kept = kept.length;
  out.keptBytes = kept.reduce((s, f) => s + f.size, 0);
  return out;
}
