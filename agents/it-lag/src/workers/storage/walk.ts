import type { Dirent } from "node:fs";
import { lstat, opendir } from "node:fs/promises";
import { join } from "node:path";
import { sleep } from "@lag/async";

export interface WalkFigures {
  /** Allocated on disk (blocks × 512, as `du` counts), each hard-linked file once. */
  bytes: number;
  /** The files' sizes added up (`du --apparent-size`). */
  apparentBytes: number;
  files: number;
  dirs: number;
  /** Entries that could not be read (left out). */
  unreadable: number;
}

export interface WalkOptions {
  /** The share of one CPU the walk may take, 0 < share ≤ 1: after each slice of work it sleeps so that work ÷ (work + sleep) stays at it. */
  cpuShare: number;
  signal?: AbortSignal;
  /** Entries handled between two looks at the clock. */
  slice?: number;
}

/**
 * Walks a folder as `du -x` does: every entry lstat'ed (links not followed), other file systems
 * not entered, a file with several hard links counted once. It yields the CPU at the share it was
 * given, so a walk of a large library runs beside the rest without being noticed.
 */
export async function walk(root: string, o: WalkOptions): Promise<WalkFigures> {
  const top = await lstat(root, { bigint: false });
  if (!top.isDirectory()) throw new Error(`${root} is not a folder`);
  const figures: WalkFigures = { bytes: top.blocks * 512, apparentBytes: 0, files: 0, dirs: 1, unreadable: 0 };
  const seen = new Set<string>();
  const slice = o.slice ?? 256;
  let handled = 0;
  let sliceStart = performance.now();
  const pace = async () => {
    if (++handled % slice !== 0) return;
    const worked = performance.now() - sliceStart;
    if (o.cpuShare < 1) await sleep((worked * (1 - o.cpuShare)) / o.cpuShare, o.signal);
    sliceStart = performance.now();
  };
  const stack = [root];
  while (stack.length > 0) {
    if (o.signal?.aborted) throw o.signal.reason ?? new Error("walk aborted");
    const dir = stack.pop()!;
    let entries: AsyncIterable<Dirent>;
    try {
      entries = await opendir(dir, { bufferSize: 128 });
    } catch {
      figures.unreadable++;
      continue;
    }
    for await (const e of entries) {
      const path = join(dir, e.name);
      try {
        const st = await lstat(path);
        if (st.dev !== top.dev) continue;
        if (st.isDirectory()) {
          figures.dirs++;
          figures.bytes += st.blocks * 512;
          stack.push(path);
        } else {
          if (st.nlink > 1) {
            const id = `${st.ino}`;
            if (seen.has(id)) continue;
            seen.add(id);
          }
          figures.files++;
          figures.bytes += st.blocks * 512;
          figures.apparentBytes += st.size;
        }
      } catch {
        figures.unreadable++;
      }
      await pace();
    }
  }
  return figures;
}
