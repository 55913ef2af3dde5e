import { Headers } from "../envelope.ts";

type HeaderName = (typeof Headers)[keyof typeof Headers];

/**
 * What each header on the wire means, for the generated documents. Typed by the values of
 * `Headers`, so adding a header without saying what it means does not compile.
 */
export const HEADER_DOCS: Record<HeaderName, string> & Record<string, string | undefined> = {
  [Headers.msgId]: "JetStream de-duplication id, equal to the envelope id: a re-publish within the stream's window is stored once.",
  [Headers.serviceError]: "Service error description (NATS micro protocol); the body is empty.",
  [Headers.serviceErrorCode]: "Service error status: 400 bad request, 404 not found, 500 internal, 503 no responder, 504 timeout.",
  [Headers.ceId]: "CloudEvents id of a request (binary mode).",
  [Headers.ceSource]: "CloudEvents source of the caller: /lag/<principal>/<host>.",
  [Headers.ceType]: "CloudEvents type of a request (binary mode).",
  [Headers.ceCorrelation]: "The chain (alert → incident → approval → action) this request belongs to.",
  [Headers.ceCausation]: "The event that directly caused this request.",
  [Headers.dlqCode]:
    "Why it was parked: invalid-json, invalid-envelope, unexpected-type, invalid-data, unknown-subject, max-deliveries, rejected.",
  [Headers.dlqReason]: "The reason in words, naming each bad field (one line).",
  [Headers.dlqSubject]: "The subject the message was received on.",
  [Headers.dlqStream]: "The stream it came from, when it came through a durable consumer.",
  [Headers.dlqSequence]: "Its sequence in that stream.",
  [Headers.dlqConsumer]: "The durable consumer that gave up on it.",
  [Headers.dlqDeliveries]: "How many times it was delivered.",
  [Headers.dlqPrincipal]: "The principal that parked it (also the second token of the dead-letter subject).",
  [Headers.dlqTime]: "When it was parked (ISO 8601).",
};
