import { seriesKey } from "../samples.ts";
import { MAX_SERIES_ID } from "./rollup-key.ts";
import type { Statements } from "./statements.ts";

export interface SeriesEntry {
  id: number;
  metric: string;
  labels: Record<string, string>;
  key: string;
}

/**
 * Every series of the store, in memory: the monitor keeps a few hundred, and ingest must not pay
 * a SELECT per sample to find an id. Ids created inside a transaction are held apart until it
 * commits, so a rolled-back transaction cannot leave an id that names no row.
 */
export class SeriesCache {
  private readonly byKey = new Map<string, SeriesEntry>();
  private readonly pending = new Map<string, SeriesEntry>();

  constructor(private readonly st: Statements) {
    for (const row of st.allSeries.all() as { id: number; metric: string; labels: string; key: string }[]) {
      this.byKey.set(row.key, { id: row.id, metric: row.metric, labels: JSON.parse(row.labels) as Record<string, string>, key: row.key });
    }
  }

  /** The series' id, creating its row if needed. Call inside the ingest transaction. */
  idFor(metric: string, labels: Record<string, string>): number {
    const key = seriesKey(metric, labels);
    const known = this.byKey.get(key) ?? this.pending.get(key);
    if (known) return known.id;
    const sorted = Object.fromEntries(
      Object.keys(labels)
        .sort()
        .map((k) => [k, labels[k]!]),
    );
    const id = (this.st.insertSeries.get(metric, JSON.stringify(sorted), key) as { id: number }).id;
    if (id > MAX_SERIES_ID) {
      throw new RangeError(
        `history series id ${id} is past the ${MAX_SERIES_ID} a roll-up key can hold: ${key} — do labels carry unbounded values (ids, timestamps)?`,
      );
    }
    this.pending.set(key, { id, metric, labels: sorted, key });
    return id;
  }

  commit(): void {
    for (const [k, e] of this.pending) this.byKey.set(k, e);
    this.pending.clear();
  }

  rollback(): void {
    this.pending.clear();
  }

  remove(key: string): void {
    this.byKey.delete(key);
  }

  /** All series, ordered by key so replies are stable. */
  all(): SeriesEntry[] {
    return [...this.byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}
