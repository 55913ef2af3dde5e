import { z } from "zod";

/**
 * Every event travels as a CloudEvents 1.0 structured-mode JSON document (readable with `nats sub`),
 * plus two extension attributes that let a chain alert → incident → approval → action be followed:
 * `correlationid` (the chain) and `causationid` (the event that directly caused this one).
 */
export const Envelope = z.object({
  specversion: z.literal("1.0"),
  id: z.string().min(1),
  source: z.string().min(1),
  type: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  datacontenttype: z.literal("application/json"),
  subject: z.string().optional(),
  correlationid: z.string().optional(),
  causationid: z.string().optional(),
  data: z.unknown(),
});
export type Envelope<T = unknown> = Omit<z.infer<typeof Envelope>, "data"> & { data: T };

/** Header names used on the wire. Request/reply payloads are bare JSON; these carry the metadata. */
export const Headers = {
  /** JetStream de-duplication id: equal to the envelope id. */
  msgId: "Nats-Msg-Id",
  /** Service errors, as in the NATS micro protocol. */
  serviceError: "Nats-Service-Error",
  serviceErrorCode: "Nats-Service-Error-Code",
  /** CloudEvents NATS binding, binary mode, used on requests. */
  ceId: "ce-id",
  ceSource: "ce-source",
  ceType: "ce-type",
  ceCorrelation: "ce-correlationid",
  ceCausation: "ce-causationid",
  /** Dead letters: why a message was parked and where it came from. */
  dlqCode: "Lag-Dlq-Code",
  dlqReason: "Lag-Dlq-Reason",
  dlqSubject: "Lag-Dlq-Subject",
  dlqStream: "Lag-Dlq-Stream",
  dlqSequence: "Lag-Dlq-Sequence",
  dlqConsumer: "Lag-Dlq-Consumer",
  dlqDeliveries: "Lag-Dlq-Deliveries",
  dlqPrincipal: "Lag-Dlq-Principal",
  dlqTime: "Lag-Dlq-Time",
} as const;

/** Why a message was dead-lettered. */
export const DeadLetterCode = z.enum([
  "invalid-json",
  "invalid-envelope",
  "unexpected-type",
  "invalid-data",
  "unknown-subject",
  "max-deliveries",
  /** Valid by its contract, but its handler refused it for good (a request naming another requester …). */
  "rejected",
]);
export type DeadLetterCode = z.infer<typeof DeadLetterCode>;

export const DeadLetter = z.object({
  code: DeadLetterCode,
  reason: z.string(),
  subject: z.string(),
  principal: z.string(),
  time: z.iso.datetime({ offset: true }),
  stream: z.string().optional(),
  sequence: z.number().int().optional(),
  consumer: z.string().optional(),
  deliveries: z.number().int().optional(),
});
export type DeadLetter = z.infer<typeof DeadLetter>;
