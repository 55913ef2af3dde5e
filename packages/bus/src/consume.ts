import type { ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import { backoffDelay, DeadlineError, withDeadline } from "@lag/async";
import type { ConsumerDescriptor } from "@lag/contracts";
import { decodeEvent } from "./codec.ts";
import { Delivery } from "./delivery.ts";
import { parkDeadLetter, type DeadLetterInput } from "./dead-letters.ts";
import type { Handler, SubscriptionContext } from "./subscribe.ts";

export interface ConsumeHandle {
  /** Stops fetching, lets the message in hand finish, then resolves. */
  stop(): Promise<void>;
  /** Resolves when the loop has ended. */
  readonly done: Promise<void>;
}

/** Retry delays after a handler failure: 1 s, 2 s, 4 s … capped at 30 s. */
export function retryDelay(deliveryCount: number): number {
  return backoffDelay(deliveryCount, { initialMs: 1_000, maxMs: 30_000, jitter: 0 });
}

/**
 * The server redelivers an unacked message after the ack wait anyway; waiting longer for a handler
 * would only hold up every message behind it. A handler that settles later is ignored (its message
 * has been nak'ed or dead-lettered).
 */
const ackWaitError = (ms: number) => () =>
  new DeadlineError(ms, `handler did not finish within the consumer's ack wait (${ms} ms); no longer waiting for it`);

/**
 * Runs a durable consumer: each message is validated, handed to the handler, and acked when the
 * handler returns. Invalid messages go to the dead-letter stream at once; a failing handler (or
 * one still running after the ack wait) is retried with back-off and, at the contract's delivery
 * limit, its message is dead-lettered.
 */
export async function consumeDurable(
  ctx: SubscriptionContext,
  consumer: ConsumerDescriptor,
  handler: Handler<unknown>,
): Promise<ConsumeHandle> {
  const c = await ctx.js.consumers.get(consumer.stream.name, consumer.durable);
  const messages: ConsumerMessages = await c.consume({ max_messages: 256 });
  const log = ctx.log.child({ consumer: consumer.durable });

  const park = async (m: JsMsg, input: Omit<DeadLetterInput, "subject" | "body" | "stream" | "sequence" | "consumer" | "deliveries">) => {
    try {
      await parkDeadLetter(ctx.js, ctx.principal, {
        subject: m.subject,
        body: m.data,
        ...(m.headers ? { original: m.headers } : {}),
        stream: m.info.stream,
        sequence: m.seq,
        consumer: consumer.durable,
        deliveries: m.info.deliveryCount,
        ...input,
      });
      m.term(`dead-lettered: ${input.code}`);
      log.warn({ subject: m.subject, seq: m.seq, code: input.code, reason: input.reason }, "message dead-lettered");
    } catch (err) {
      // Not acked: the server redelivers it and we try to park it again.
      log.error({ err, subject: m.subject, seq: m.seq }, "could not dead-letter; leaving it for redelivery");
      m.nak(retryDelay(m.info.deliveryCount));
    }
  };

  const handle = async (m: JsMsg) => {
    const decoded = decodeEvent(m.subject, m.string(), consumer.events);
    if (!decoded.ok) return park(m, { code: decoded.code, reason: decoded.reason });
    const count = m.info.deliveryCount;
    if (count > consumer.maxDeliver) {
      return park(m, {
        code: "max-deliveries",
        reason: `delivered ${count} times, limit ${consumer.maxDeliver}; the last attempt did not finish`,
      });
    }
    const d = new Delivery(decoded.event, decoded.envelope, m.subject, decoded.tokens, count, {
      name: m.info.stream,
      sequence: m.seq,
    });
    try {
      await withDeadline(consumer.ackWait, () => handler(d), { error: ackWaitError(consumer.ackWait) });
      // A plain ack, not ackAck: waiting for the server to confirm each one made a consumer that
      // reconnected with a full buffer handle one message per JetStream timeout (10 s) until the
      // buffer was gone. An ack lost with the connection means a redelivery, which handlers absorb
      // (every delivery carries the event id).
      m.ack();
    } catch (err) {
      if (count >= consumer.maxDeliver) {
        return park(m, {
          code: "max-deliveries",
          reason: `handler failed ${count} times, limit ${consumer.maxDeliver}: ${(err as Error).message}`,
        });
      }
      log.warn({ err, subject: m.subject, seq: m.seq, delivery: count }, "handler failed; will retry");
      m.nak(retryDelay(count));
    }
  };

  const done = (async () => {
    for await (const m of messages) await handle(m);
  })().catch((err: unknown) => log.error({ err }, "consumer loop ended with an error"));

  return {
    done,
    async stop() {
      await messages.close();
      await done;
    },
  };
}
