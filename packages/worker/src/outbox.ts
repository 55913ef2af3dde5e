import { appendFileSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { encodeEvent, type Bus } from "@lag/bus";
import { eventForType, type EventDescriptor, type InferEvent } from "@lag/contracts";
import type { Logger } from "@lag/log";

/** One durable event waiting for its stream's acknowledgement: its data, checked, and its id. */
export const OutboxItem = z.object({
  type: z.string(),
  id: z.string(),
  data: z.unknown(),
  correlationid: z.string().optional(),
  causationid: z.string().optional(),
});
export type OutboxItem = z.infer<typeof OutboxItem>;

/** Beyond this many waiting events the oldest are dropped (and that is logged). */
const MAX_ITEMS = 10_000;
/** Events sent at once while draining. */
const BATCH = 256;

export interface OutboxOptions {
  bus: Bus;
  log: Logger;
  /** Items restored from the last run. */
  items?: readonly OutboxItem[];
  /**
   * Called after every change with what changed, in order, and the whole queue (a snapshot writer
   * uses the queue, a journal the changes); may throw (a full disk): the queue lives on in memory.
   */
  persist(changes: readonly OutboxChange[], queue: readonly OutboxItem[]): void;
}

/** One change of the queue: an item added at its end, or the first `removed` items gone (sent, or dropped when full). */
export type OutboxChange = { added: OutboxItem } | { removed: number };

/**
 * Durable events that must not be lost, kept until their stream acknowledged them: across a NATS
 * outage, a leader election that outlasts the bus's own retries, and a restart (the queue is
 * persisted after every change). Sent in order; an event keeps its id, so sending it again after
 * a crash is stored once. The same mechanism for every worker: `ctx.outbox`, and the monitor's
 * alerts (saved together with its rule state).
 */
export class Outbox {
  private items: OutboxItem[];
  private flushing?: Promise<number>;
  /** An item was queued while a flush was under way, perhaps after its loop last looked. */
  private flushAgain = false;
  private failing = false;
  private persistFailure?: string;
  private together = 0;
  private changes: OutboxChange[] = [];

  constructor(private readonly o: OutboxOptions) {
    this.items = [...(o.items ?? [])];
  }

  /** Queues an event (checked against its contract now: a bad one throws at once) and tries to send the queue. */
  async publish<E extends EventDescriptor>(
    event: E,
    data: InferEvent<E>,
    meta: { id?: string; correlationid?: string; causationid?: string } = {},
  ): Promise<void> {
    this.add(event, data, meta);
    await this.flush();
  }

  /** Queues without sending; `flush()` sends. */
  add<E extends EventDescriptor>(
    event: E,
    data: InferEvent<E>,
    meta: { id?: string; correlationid?: string; causationid?: string } = {},
  ): void {
    if (!event.stream) throw new Error(`${event.type} is not durable: publish it directly`);
    // Checked now, so a bad event is the caller's error at once, not a dead item in the queue.
    const { envelope } = encodeEvent(event, data, { source: this.o.bus.source, ...(meta.id ? { id: meta.id } : {}) });
    const item: OutboxItem = {
      type: event.type,
      id: envelope.id,
      data: envelope.data,
      ...(meta.correlationid ? { correlationid: meta.correlationid } : {}),
      ...(meta.causationid ? { causationid: meta.causationid } : {}),
    };
    this.items.push(item);
    this.changes.push({ added: item });
    if (this.items.length > MAX_ITEMS) {
      const dropped = this.items.splice(0, this.items.length - MAX_ITEMS);
      this.changes.push({ removed: dropped.length });
      this.o.log.error({ dropped: dropped.length }, "outbox full: the oldest unsent events were dropped");
    }
    if (this.together === 0) this.save();
  }

  /** Queues several events (`add` inside `fn`) with one save: what one change of state produced. */
  addTogether(fn: () => void): void {
    this.together++;
    try {
      fn();
    } finally {
      this.together--;
      if (this.together === 0) this.save();
    }
  }

  /** Sends the queue in order, a batch at a time; stops at a failure and keeps the rest. Returns how many were sent. */
  flush(): Promise<number> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    const run = async () => {
      let sent = 0;
      do {
        this.flushAgain = false;
        sent += await this.drain();
      } while (this.flushAgain && !this.failing && this.items.length > 0);
      return sent;
    };
    this.flushing = run().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  get pending(): number {
    return this.items.length;
  }

  /** Whether the last persist worked. */
  get persisting(): boolean {
    return this.persistFailure === undefined;
  }

  /** The queue as persisted. */
  snapshot(): readonly OutboxItem[] {
    return this.items;
  }

  private async drain(): Promise<number> {
    let sent = 0;
    while (this.items.length > 0) {
      // A batch in flight at once: one connection keeps them in order on the wire, and a batch costs
      // one save instead of one per event.
      const batch = this.items.slice(0, BATCH);
      const results = await Promise.allSettled(batch.map((item) => this.send(item)));
      let done = 0;
      while (done < results.length && results[done]!.status === "fulfilled") done++;
      // Those after a failure that did go through are sent again with the same id: stored once.
      this.items.splice(0, done);
      if (done > 0) this.changes.push({ removed: done });
      sent += done;
      this.save();
      if (done < batch.length) {
        const err = (results[done] as PromiseRejectedResult).reason;
        if (!this.failing)
          this.o.log.error({ err, pending: this.items.length }, "events cannot be published; kept in the outbox for retry");
        this.failing = true;
        break;
      }
      if (this.failing) this.o.log.info({ pending: this.items.length }, "events publishing again");
      this.failing = false;
    }
    return sent;
  }

  private async send(item: OutboxItem): Promise<void> {
    const event = eventForType(item.type, this.o.bus.principal);
    if (!event) {
      this.o.log.error({ type: item.type, id: item.id }, "outbox holds an event no contract describes any more; dropped");
      return;
    }
    await this.o.bus.publish(event, item.data as never, {
      id: item.id,
      ...(item.correlationid ? { correlationid: item.correlationid } : {}),
      ...(item.causationid ? { causationid: item.causationid } : {}),
    });
  }

  private save(): void {
    const changes = this.changes;
    this.changes = [];
    try {
      this.o.persist(changes, this.items);
    } catch (err) {
      if (this.persistFailure === undefined)
        this.o.log.error({ reason: (err as Error).message }, `cannot save the outbox (${(err as Error).message}); it is kept in memory`);
      this.persistFailure = (err as Error).message;
      return;
    }
    if (this.persistFailure !== undefined) this.o.log.info("outbox saved again");
    this.persistFailure = undefined;
  }
}

/** Rewritten from scratch once the journal holds this many more lines than the queue has items. */
const COMPACT_SLACK = 1_000;

/**
 * A worker's outbox on disk, as a journal (JSON lines: `{"added": item}`, `{"removed": n}`), so each
 * change is one short append however long the queue is: rewriting the whole queue on every change
 * made a backlog quadratic. Emptied when the queue is; rewritten when it has grown much longer than
 * the queue, or after a write failed (the queue in memory is then the truth). A torn last line (a
 * crash mid-write) is skipped.
 */
export function outboxFile(
  file: string,
  log: Logger,
): { items: OutboxItem[]; persist(changes: readonly OutboxChange[], queue: readonly OutboxItem[]): void } {
  let items: OutboxItem[] = [];
  let lines = 0;
  try {
    const text = readFileSync(file, "utf8");
    for (const line of text.split("\n")) {
      if (line === "") continue;
      lines++;
      const change = JournalLine.safeParse(safeJson(line));
      if (!change.success) {
        log.warn({ file, line: lines }, "outbox journal line unreadable (a crash while writing it?); skipped");
        continue;
      }
      if ("added" in change.data) items.push(change.data.added);
      else items = items.slice(change.data.removed);
    }
  } catch {
    // first start
  }
  let rewrite = false;
  const lineOf = (c: OutboxChange) => `${JSON.stringify(c)}\n`;
  return {
    items,
    persist(changes, queue) {
      try {
        if (queue.length === 0) {
          writeFileSync(file, "");
          lines = 0;
        } else if (rewrite || lines + changes.length > queue.length + COMPACT_SLACK) {
          const tmp = `${file}.tmp`;
          writeFileSync(tmp, queue.map((added) => lineOf({ added })).join(""));
          renameSync(tmp, file);
          lines = queue.length;
        } else if (changes.length > 0) {
          appendFileSync(file, changes.map(lineOf).join(""));
          lines += changes.length;
        }
        rewrite = false;
      } catch (err) {
        // What is on disk may now miss a change: the next save writes the whole queue.
        rewrite = true;
        throw err;
      }
    },
  };
}

const JournalLine = z.union([z.object({ added: OutboxItem }), z.object({ removed: z.number().int().positive() })]);

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
