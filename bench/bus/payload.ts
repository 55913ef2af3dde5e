import { encodeEvent } from "@lag/bus";
import { alert, hostMetrics, storageService, type EventDescriptor, type InferEvent } from "@lag/contracts";

/** A fixed CloudEvents source, so the envelope (and the byte sizes printed) do not depend on the machine's name. */
export const SOURCE = "/lag/it-monitor/kronos";

/**
 * An alert as the monitor publishes it, with short but real values: the encoded envelope is about
 * 450 bytes, the smallest realistic event in the catalogue (a hostMetrics event with valid data
 * cannot go below about 570 bytes; the contract's own example is about 950).
 */
export const smallAlert: InferEvent<typeof alert> = {
  fingerprint: "load-high/kronos",
  rule: "load-high",
  host: "kronos",
  status: "firing",
  severity: "medium",
  summary: "load 6.2 above 4",
  source: "load.l5",
  value: 6.2,
  threshold: 4,
  labels: {},
  startsAt: "2026-11-23T06:00:00.000Z",
  repeat: 0,
};

/**
 * The alert contract delivered on core NATS: same type, subject, schema and validation as `alert`,
 * without its stream. The typed core path (encode → nc.publish; subscribe → decode → validate) is
 * the same code for every stream-less event, and the catalogue's only one, hostMetrics, is too big
 * to stand for the "~400-byte event". Each benchmark section runs on its own server, so no
 * stream captures these publishes.
 */
export const coreAlert: EventDescriptor<typeof alert.subject, typeof alert.schema> = { ...alert, stream: undefined };

/** The host metrics event as the contract's example has it: one NIC, one data filesystem, one sensor. */
export const exampleHostMetrics = hostMetrics.example;

/** The bytes the typed path puts on the wire for this event, encoded once: what the raw baselines send. */
export function wireBytes<E extends EventDescriptor>(event: E, data: InferEvent<E>): { subject: string; bytes: Uint8Array } {
  const e = encodeEvent(event, data, { source: SOURCE });
  return { subject: e.subject, bytes: new TextEncoder().encode(e.payload) };
}

/** The storage query's fixed reply: the contract's example (one volume), valid by construction. */
export const storageReply = storageService.endpoints.query.example.reply;
