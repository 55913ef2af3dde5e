import type { Sample } from "../samples.ts";
import type { SampleBatch } from "./history.ts";

/** mulberry32: a tiny seeded PRNG, so generated test data is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A spread of metrics and label sets like the monitor's: no labels, one, two. */
export const generatedSeries: readonly { metric: string; labels: Record<string, string> }[] = [
  { metric: "cpu.usage_pct", labels: {} },
  { metric: "load.1", labels: {} },
  { metric: "fs.used_pct", labels: { mount: "/", role: "root" } },
  { metric: "fs.used_pct", labels: { mount: "/mnt/storage", role: "storage" } },
  { metric: "container.cpu_pct", labels: { container: "immich" } },
  { metric: "container.cpu_pct", labels: { container: "traefik" } },
  { metric: "net.rx_bytes_per_sec", labels: { iface: "eth0" } },
];

export interface GenerateOptions {
  seed: number;
  /** First instant, unix ms. */
  startMs: number;
  endMs: number;
  /** Gap between instants is uniform in [minGapMs, maxGapMs] (ms precision, so never aligned). */
  minGapMs: number;
  maxGapMs: number;
  /** Chance that a series has a sample at a given instant. */
  presence?: number;
}

/**
 * Irregular instants, each with a random subset of `generatedSeries`. Values mix signs and
 * magnitudes (a few up to 1e9) so that min/max/sum mistakes cannot hide behind uniform data.
 */
export function generateBatches(o: GenerateOptions): SampleBatch[] {
  const rnd = seededRandom(o.seed);
  const presence = o.presence ?? 0.8;
  const out: SampleBatch[] = [];
  for (let t = o.startMs; t < o.endMs; t += o.minGapMs + Math.floor(rnd() * (o.maxGapMs - o.minGapMs + 1))) {
    const samples: Sample[] = [];
    for (const s of generatedSeries) {
      if (rnd() >= presence) continue;
      const scale = rnd() < 0.05 ? 1e9 : 100;
      samples.push({ metric: s.metric, labels: s.labels, value: (rnd() - 0.3) * scale });
    }
    out.push({ samples, at: new Date(t) });
  }
  return out;
}

/** Splits instants into ingest calls of 1..maxPerCall instants, so calls straddle bucket edges. */
export function randomChunks<T>(items: readonly T[], maxPerCall: number, seed: number): T[][] {
  const rnd = seededRandom(seed);
  const out: T[][] = [];
  for (let i = 0; i < items.length; ) {
    const n = 1 + Math.floor(rnd() * maxPerCall);
    out.push(items.slice(i, i + n));
    i += n;
  }
  return out;
}
