import type { Logger } from "@lag/log";
import { openStore, type Store } from "@lag/store";
import type { Tables } from "./declaration.ts";

export interface StoreOpenerOptions {
  file: string;
  schema: Tables;
  migrationsFolder: string;
  /** Who runs without it, for the log line. */
  owner: string;
  log: Logger;
  /** A store that cannot be opened is said, remembered and tried again on the next `open()`, instead of thrown. */
  degradable: boolean;
}

/**
 * One SQLite store opened on first need: a worker's own, and any a worker keeps beside it (a
 * monitor's history for each host it reads over SSH). A degradable one that cannot be opened (a
 * full or read-only disk) is logged once, and opened later by the next `open()` that succeeds.
 */
export class StoreOpener<D extends Tables = Tables> {
  private store?: Store<D>;
  private error?: Error;

  constructor(private readonly o: StoreOpenerOptions) {}

  get file(): string {
    return this.o.file;
  }

  /** Why it is not open, when it is not. */
  get problem(): Error | undefined {
    return this.error;
  }

  get current(): Store<D> | undefined {
    return this.store;
  }

  /** The store when it is open, else one more attempt to open it. */
  open(): Store<D> | undefined {
    if (this.store) return this.store;
    const { file, log } = this.o;
    try {
      this.store = openStore({ file, schema: this.o.schema as D, migrationsFolder: this.o.migrationsFolder, logger: log });
      if (this.error) log.info({ file }, `store ${file} is available again`);
      this.error = undefined;
    } catch (err) {
      if (!this.o.degradable) throw err;
      if (!this.error) {
        const reason = (err as Error).message;
        log.error({ file, reason }, `store ${file} unavailable; ${this.o.owner} runs without it: ${reason}`);
      }
      this.error = err as Error;
    }
    return this.store;
  }

  close(): void {
    this.store?.close();
    this.store = undefined;
  }
}
