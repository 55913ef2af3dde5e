import type { Msg, NatsConnection, Subscription } from "@nats-io/nats-core";
import type { JetStreamClient } from "@nats-io/jetstream";
import { filterSubject, type EventDescriptor, type InferEvent, type Principal, type TokenValues } from "@lag/contracts";
import type { Logger } from "@lag/log";
import { decodeEvent } from "./codec.ts";
import { Delivery } from "./delivery.ts";
import { parkDeadLetter } from "./dead-letters.ts";

export interface SubscribeOptions<S extends string> {
  /** Narrow the subscription: `{ host: "kronos" }`; missing tokens match any value. */
  tokens?: Partial<TokenValues<S>>;
  /** Share the work with other members of this queue group. */
  queue?: string;
}

export type Handler<T> = (delivery: Delivery<T>) => void | Promise<void>;

export interface SubscriptionContext {
  nc: NatsConnection;
  js: JetStreamClient;
  principal: Principal;
  log: Logger;
}

/**
 * A core-NATS subscription that only hands valid events to its handler. An invalid message is
 * parked in the dead-letter stream with the reason; a handler error is logged. Neither stops it.
 */
export function subscribeEvent<E extends EventDescriptor>(
  ctx: SubscriptionContext,
  event: E,
  handler: Handler<InferEvent<E>>,
  opts: SubscribeOptions<E["subject"]> = {},
): Subscription {
  const filter = filterSubject(event.subject, opts.tokens as Record<string, string> | undefined);
  const onMessage = (m: Msg) => {
    const decoded = decodeEvent(m.subject, m.string(), [event]);
    if (!decoded.ok) {
      ctx.log.warn({ subject: m.subject, code: decoded.code, reason: decoded.reason }, "invalid message dead-lettered");
      parkDeadLetter(ctx.js, ctx.principal, {
        subject: m.subject,
        body: m.data,
        ...(m.headers ? { original: m.headers } : {}),
        code: decoded.code,
        reason: decoded.reason,
      }).catch((err: unknown) => ctx.log.error({ err, subject: m.subject, body: m.string() }, "could not dead-letter an invalid message"));
      return;
    }
    const d = new Delivery<InferEvent<E>>(decoded.event, decoded.envelope as never, m.subject, decoded.tokens, 1);
    const fail = (err: unknown) => ctx.log.error({ err, subject: m.subject, id: d.envelope.id }, "event handler failed");
    try {
      const r = handler(d);
      if (r instanceof Promise) r.catch(fail);
    } catch (err) {
      fail(err);
    }
  };
  // A callback, not an async iterator: core events are fire-and-forget, so handlers are not awaited
  // one after the other (an async handler runs while the next message is decoded).
  const sub = ctx.nc.subscribe(filter, {
    ...(opts.queue ? { queue: opts.queue } : {}),
    callback: (err, m) => {
      if (err) ctx.log.error({ err, subject: filter }, "subscription closed with an error");
      else onMessage(m);
    },
  });
  return sub;
}
