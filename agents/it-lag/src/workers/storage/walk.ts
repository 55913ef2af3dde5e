import { lstatSync, readdirSync } from "node:fs";
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
  /** Entries handled between two yields (and looks at the clock). */
  slice?: number;
}

/**
 * Walks a folder as `du -x` does: every entry lstat'ed (links not followed), other file systems
 * not entered, a file with several hard links counted once. The file system is read with the
 * synchronous calls, a slice of entries at a time (an async call per entry was 27 times slower
 * than du, bench/README.md): between slices it yields to the event loop, and sleeps so that it
 * takes no more than the CPU share it was given.
 */
export async function walk(root: string, o: WalkOptions): Promise<WalkFigures> {
  const top = lstatSync(root);
  if (!top.isDirectory()) throw new Error(`${root} is not a folder`);
  const figures: WalkFigures = { bytes: top.blocks * 512, apparentBytes: 0, files: 0, dirs: 1, unreadable: 0 };
  const seen = new Set<number>();
  const slice = o.slice ?? 512;
  let handled = 0;
  let sliceStart = performance.now();
  const pace = async () => {
    if (++handled % slice !== 0) return;
    const worked = performance.now() - sliceStart;
    if (o.cpuShare < 1) await sleep((worked * (1 - o.cpuShare)) / o.cpuShare, o.signal);
    else await new Promise((r) => setImmediate(r));
    if (o.signal?.aborted) throw o.signal.reason ?? new Error("walk aborted");
    sliceStart = performance.now();
  };
  const stack = [root];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      figures.unreadable++;
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
      const st = lstatSync(path, { throwIfNoEntry: false });
      if (!st) figures.unreadable++;
      else if (st.dev === top.dev) {
        if (st.isDirectory()) {
          figures.dirs++;
          figures.bytes += st.blocks * 512;
          stack.push(path);
        } else if (st.nlink <= 1 || !seen.has(st.ino)) {
          if (st.nlink > 1) seen.add(st.ino);
          figures.files++;
          figures.bytes += st.blocks * 512;
          figures.apparentBytes += st.size;
        }
      }
      await pace();
    }
  }
  return figures;
}
