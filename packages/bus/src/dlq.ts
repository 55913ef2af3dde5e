import { headers as natsHeaders, type MsgHdrs } from "@nats-io/nats-core";
import type { JetStreamClient } from "@nats-io/jetstream";
import { dlqSubject, Headers, type DeadLetterCode, type Principal } from "@lag/contracts";

export interface DeadLetterInput {
  subject: string;
  body: Uint8Array;
  /** Headers the original message carried; kept beside ours. */
  original?: MsgHdrs;
  code: DeadLetterCode;
  reason: string;
  stream?: string;
  sequence?: number;
  consumer?: string;
  deliveries?: number;
}

/**
 * Parks a message in the dead-letter stream with the reason in headers. A message that came from
 * a stream gets a de-duplication id, so parking it twice (after a crash) stores it once.
 * Throws when the dead-letter stream did not acknowledge: the caller must then not ack the original.
 */
export async function parkDeadLetter(js: JetStreamClient, principal: Principal, input: DeadLetterInput): Promise<void> {
  const h = natsHeaders();
  if (input.original) {
    for (const [k, v] of input.original) if (!k.toLowerCase().startsWith("nats-")) for (const x of v) h.append(k, x);
  }
  h.set(Headers.dlqCode, input.code);
  // Header values must stay on one line.
  h.set(Headers.dlqReason, input.reason.replace(/[\r\n]+/g, " ").slice(0, 4000));
  h.set(Headers.dlqSubject, input.subject);
  h.set(Headers.dlqPrincipal, principal);
  h.set(Headers.dlqTime, new Date().toISOString());
  if (input.stream) h.set(Headers.dlqStream, input.stream);
  if (input.sequence !== undefined) h.set(Headers.dlqSequence, String(input.sequence));
  if (input.consumer) h.set(Headers.dlqConsumer, input.consumer);
  if (input.deliveries !== undefined) h.set(Headers.dlqDeliveries, String(input.deliveries));
  const msgID =
    input.stream && input.sequence !== undefined
      ? `dlq:${input.stream}:${input.sequence}:${input.consumer ?? ""}`
      : undefined;
  await js.publish(dlqSubject(principal, input.subject), input.body, {
    headers: h,
    ...(msgID ? { msgID } : {}),
    timeout: 5_000,
  });
}
