import type { ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import { backoffDelay, DeadlineError, withDeadline } from "@lag/async";
import type { ConsumerDescriptor } from "@lag/contracts";
import { decodeEvent } from "./codec.ts";
import { Delivery } from "./delivery.ts";
import { RejectedMessage } from "./errors.ts";
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
  // Pull requests expire after 5 s, so heartbeats come every 2.5 s and two missed ones (a consumer
  // whose leader moved, a server that went away) are noticed within about 5 s and the pull is
  // renewed; nats.js's 30 s default left CEO_LAG idle for 44-99 s after a leader change.
  const messages: ConsumerMessages = await c.consume({ max_messages: 256, expires: PULL_EXPIRES_MS });
  const log = ctx.log.child({ consumer: consumer.durable });
  const watch = stallWatch(log, consumer, () => c.info());
  void (async () => {
    for await (const s of messages.status()) {
      if (s.type === "heartbeats_missed") watch.missed(s.count);
      else if (s.type === "consumer_not_found" || s.type === "stream_not_found" || s.type === "consumer_deleted") {
        log.warn({ status: s.type }, `consumer ${consumer.durable}: ${s.type.replace(/_/g, " ")}; retrying`);
      }
    }
  })().catch(() => undefined);

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
      if (err instanceof RejectedMessage) return park(m, { code: "rejected", reason: err.reason });
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
    for await (const m of messages) {
      watch.received();
      await handle(m);
    }
  })().catch((err: unknown) => log.error({ err }, "consumer loop ended with an error"));

  return {
    done,
    async stop() {
      watch.stop();
      await messages.close();
      await done;
    },
  };
}

const PULL_EXPIRES_MS = 5_000;
/** A consumer that has received nothing this long is asked whether its stream has something for it. */
const STALL_CHECK_MS = 15_000;

/**
 * Says when a consumer has received nothing while its stream holds messages for it (stalled: its
 * leader moved, its pull went unanswered), once, and again when messages flow. A quiet consumer
 * with nothing pending is just quiet.
 */
function stallWatch(
  log: SubscriptionContext["log"],
  consumer: ConsumerDescriptor,
  info: () => Promise<{ num_pending: number; num_ack_pending: number }>,
) {
  let last = Date.now();
  let stalledSince: number | undefined;
  let checking = false;
  const timer = setInterval(() => {
    if (checking || Date.now() - last < STALL_CHECK_MS) return;
    checking = true;
    info()
      .then((i) => {
        if (i.num_pending > 0 && stalledSince === undefined) {
          stalledSince = last;
          log.warn(
            { pending: i.num_pending, quietMs: Date.now() - last },
            `consumer ${consumer.durable} is stalled: nothing received for ${Math.round((Date.now() - last) / 1000)} s while ${i.num_pending} messages wait for it`,
          );
        }
      })
      .catch(() => undefined) // the connection or the stream is down: that is logged where it is seen
      .finally(() => (checking = false));
  }, STALL_CHECK_MS / 3);
  timer.unref();
  return {
    received() {
      last = Date.now();
      if (stalledSince !== undefined) {
        log.info(
          { stalledMs: last - stalledSince },
          `consumer ${consumer.durable} receives again after ${Math.round((last - stalledSince) / 1000)} s`,
        );
        stalledSince = undefined;
      }
    },
    missed(count: number) {
      if (count === 2) log.debug({ count }, `consumer ${consumer.durable}: heartbeats missed; renewing its pull`);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
