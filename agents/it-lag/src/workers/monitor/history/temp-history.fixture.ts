import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type Store } from "@lag/store";
import { History, historyMigrationsFolder } from "./history.ts";
import type { HistoryOptions } from "./options.ts";
import * as schema from "./schema.ts";

/** A History on a real SQLite file in a temp dir; `reopen` closes the file and opens it again. */
export interface TempHistory {
  history: History;
  store: Store<typeof schema>;
  file: string;
  reopen(): void;
  /** Closes the store and removes the temp dir. */
  dispose(): void;
}

export function openHistoryFile(file: string, options: Partial<HistoryOptions> = {}): { store: Store<typeof schema>; history: History } {
  const store = openStore({ file, schema, migrationsFolder: historyMigrationsFolder });
  return { store, history: new History(store, options) };
}

export function tempHistory(options: Partial<HistoryOptions> = {}): TempHistory {
  const dir = mkdtempSync(join(tmpdir(), "lag-history-"));
  const file = join(dir, "monitor.sqlite");
  const t: TempHistory = {
    ...openHistoryFile(file, options),
    file,
    reopen() {
      t.store.close();
      Object.assign(t, openHistoryFile(file, options));
    },
    dispose() {
      t.store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}
