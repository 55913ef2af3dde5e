/**
 * The candidate an operator most likely meant: the same key spelled in another case or with
 * separators (`data_dir` → `dataDir`), else one a few typos away. Undefined when nothing is close,
 * so a suggestion is never a wild guess.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const norm = normalise(word);
  const same = candidates.find((c) => normalise(c) === norm);
  if (same) return same;
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    const d = distance(norm, normalise(c));
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function normalise(s: string): string {
  return s.toLowerCase().replace(/[-_]/g, "");
}

/** Edit distance where swapping two neighbours counts as one typo (optimal string alignment). */
function distance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}
