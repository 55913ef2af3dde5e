import { readFileSync, renameSync, writeFileSync } from "node:fs";
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

export interface OutboxOptions {
  bus: Bus;
  log: Logger;
  /** Items restored from the last run. */
  items?: readonly OutboxItem[];
  /** Called with the whole queue after every change; may throw (a full disk): the queue lives on in memory. */
  persist(items: readonly OutboxItem[]): void;
}

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
  private failing = false;
  private persistFailure?: string;

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
    this.items.push({
      type: event.type,
      id: envelope.id,
      data: envelope.data,
      ...(meta.correlationid ? { correlationid: meta.correlationid } : {}),
      ...(meta.causationid ? { causationid: meta.causationid } : {}),
    });
    if (this.items.length > MAX_ITEMS) {
      const dropped = this.items.splice(0, this.items.length - MAX_ITEMS);
      this.o.log.error({ dropped: dropped.length }, "outbox full: the oldest unsent events were dropped");
    }
    this.save();
  }

  /** Sends the queue in order; stops at the first failure and keeps the rest. Returns how many were sent. */
  flush(): Promise<number> {
    this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
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
      const item = this.items[0]!;
      const event = eventForType(item.type, this.o.bus.principal);
      if (!event) {
        this.o.log.error({ type: item.type, id: item.id }, "outbox holds an event no contract describes any more; dropped");
        this.items.shift();
        this.save();
        continue;
      }
      try {
        await this.o.bus.publish(event, item.data as never, {
          id: item.id,
          ...(item.correlationid ? { correlationid: item.correlationid } : {}),
          ...(item.causationid ? { causationid: item.causationid } : {}),
        });
      } catch (err) {
        if (!this.failing)
          this.o.log.error({ err, pending: this.items.length }, "events cannot be published; kept in the outbox for retry");
        this.failing = true;
        break;
      }
      if (this.failing) this.o.log.info({ pending: this.items.length }, "events publishing again");
      this.failing = false;
      this.items.shift();
      sent++;
      this.save();
    }
    return sent;
  }

  private save(): void {
    try {
      this.o.persist(this.items);
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

/** A JSON file holding a worker's outbox, written atomically (temp file, then rename). */
export function outboxFile(file: string, log: Logger): { items: OutboxItem[]; persist(items: readonly OutboxItem[]): void } {
  let items: OutboxItem[] = [];
  try {
    const parsed = z.array(OutboxItem).safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (parsed.success) items = parsed.data;
    else log.error({ file }, "outbox file unreadable; starting with an empty outbox");
  } catch {
    // first start
  }
  return {
    items,
    persist(all) {
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, JSON.stringify(all));
      renameSync(tmp, file);
    },
  };
}
