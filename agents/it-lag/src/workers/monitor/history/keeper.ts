import { ServiceError } from "@lag/bus";
import type { CheckUptime, HistoryQuery, HistoryReply, SeriesQuery, SeriesReply } from "@lag/contracts";
import type { Logger } from "@lag/log";
import type { z } from "zod";
import type { Sample } from "../samples.ts";
import { History } from "./history.ts";
import type { HistoryOptions } from "./options.ts";
import { HistoryRangeError } from "./plan.ts";
import type { UptimeInput } from "./uptime.ts";

/** What the keeper needs of the worker's store: it open, or one more attempt, and why not. */
export interface StoreAccess {
  tryStore(): { sqlite: ConstructorParameters<typeof History>[0]["sqlite"] } | undefined;
  storeProblem(): Error | undefined;
}

/**
 * History is best effort; alerts are not. The keeper holds the History while its SQLite file can
 * be opened and written. When it cannot (a full or read-only disk), `ingest` says so instead of
 * throwing — the round goes on to evaluate rules and publish alerts, and the failure becomes the
 * `lag.store_ok{store=history}` sample (one alert, by the store-failing rule) — queries are
 * answered 503, and the file is tried again at most once a minute. Each change is logged once.
 */
export class HistoryKeeper {
  private history?: History;
  private failure?: string;
  private lastTry = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: StoreAccess,
    private readonly options: Partial<HistoryOptions>,
    private readonly log: Logger,
    /** How often a store that could not be opened is tried again. */
    private readonly retryMs = 60_000,
  ) {}

  /** Whether the last write (or open) worked. */
  get ok(): boolean {
    return this.failure === undefined;
  }

  /** Stores the round's samples; returns false (and remembers why) when the store cannot take them. */
  ingest(samples: readonly Sample[], now: Date): boolean {
    const history = this.current(now);
    if (!history) return false;
    try {
      history.ingest(samples, now);
    } catch (err) {
      this.failed(`writing history failed: ${(err as Error).message}`);
      return false;
    }
    this.recovered();
    return true;
  }

  /** A range the plan refuses (from not before to) is the caller's mistake: 400, naming the fields. */
  query(q: z.infer<typeof HistoryQuery>, host: string, now: Date): HistoryReply {
    const history = this.available();
    try {
      return history.query(q, host, now);
    } catch (err) {
      if (err instanceof HistoryRangeError) throw new ServiceError(400, `invalid request: ${err.message}`);
      throw err;
    }
  }

  uptime(q: UptimeInput): CheckUptime[] {
    return this.available().uptime(q);
  }

  series(q: z.infer<typeof SeriesQuery>, host: string): z.infer<typeof SeriesReply> {
    return this.available().series(q, host);
  }

  async compact(now: Date) {
    const history = this.current(now);
    if (!history) return undefined;
    try {
      return await history.compact(now);
    } catch (err) {
      this.failed(`compacting history failed: ${(err as Error).message}`);
      return undefined;
    }
  }

  private available(): History {
    if (!this.history) throw new ServiceError(503, `history is unavailable on this host: ${this.failure ?? "its store is not open"}`);
    return this.history;
  }

  private current(now: Date): History | undefined {
    if (this.history) return this.history;
    if (now.getTime() - this.lastTry < this.retryMs) return undefined;
    this.lastTry = now.getTime();
    const store = this.store.tryStore();
    if (!store) {
      this.failed(`its store cannot be opened: ${this.store.storeProblem()?.message ?? "unknown reason"}`);
      return undefined;
    }
    this.history = new History(store, this.options);
    return this.history;
  }

  private failed(reason: string): void {
    if (this.failure === undefined) this.log.error({ store: "history", reason }, `history unavailable (${reason}); alerts still go out`);
    this.failure = reason;
  }

  private recovered(): void {
    if (this.failure !== undefined) this.log.info({ store: "history" }, "history is written again");
    this.failure = undefined;
  }
}
