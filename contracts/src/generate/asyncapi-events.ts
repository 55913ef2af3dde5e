import type { EventDescriptor } from "../descriptors.ts";
import { Headers } from "../envelope.ts";
import { expand, type Catalog } from "./catalog-view.ts";
import { exampleEnvelope, exampleSubject } from "./examples.ts";
import { embeddedSchema } from "./json-schema.ts";
import { parameters, ref, stringHeaders } from "./asyncapi-common.ts";

/**
 * An event's channel (its subject template), message (envelope + data, example included) and two
 * operations: its publisher sends, its audience receives (with the durable consumers that read it).
 */
export function eventParts(cat: Catalog, e: EventDescriptor) {
  // One contract on several publishers' subjects (alerts): the later ones' channels are told apart by publisher.
  const sameType = cat.events.filter((x) => x.type === e.type);
  const id = sameType[0] === e ? e.type : `${e.type}.${e.publisher}`;
  const envelope = exampleEnvelope(e);
  const message = {
    name: id,
    title: e.type,
    summary: e.description,
    contentType: "application/json",
    payload: {
      allOf: [
        ref("#/components/schemas/Envelope"),
        {
          type: "object",
          properties: { type: { const: e.type }, data: ref(`#/components/schemas/${id}`) },
          required: ["type", "data"],
        },
      ],
    },
    ...(e.stream ? { headers: stringHeaders([Headers.msgId]) } : {}),
    correlationId: { location: "$message.payload#/correlationid", description: "The chain this event belongs to." },
    examples: [
      {
        name: "example",
        summary: `Published on ${exampleSubject(e)}`,
        payload: envelope,
        ...(e.stream ? { headers: { [Headers.msgId]: envelope.id } } : {}),
      },
    ],
  };
  const channel = {
    address: e.subject,
    title: e.type,
    description: e.description,
    messages: { [id]: ref(`#/components/messages/${id}`) },
    parameters: parameters(e.subject, e.tokens(e.example) as Record<string, string>),
    "x-lag-stream": e.stream?.name,
    "x-lag-delivery": e.stream ? "JetStream (durable, de-duplicated by Nats-Msg-Id)" : "core NATS (at most once)",
  };
  const messages = [ref(`#/channels/${id}/messages/${id}`)];
  const consumers = cat.consumers
    .filter((c) => c.events.some((x) => x.type === e.type))
    .map((c) => ({ durable: c.durable, stream: c.stream.name, principal: c.principal }));
  const operations = {
    [`${id}.publish`]: {
      action: "send",
      channel: ref(`#/channels/${id}`),
      summary: `${e.publisher} publishes ${e.type}`,
      messages,
      "x-lag-principals": [e.publisher],
    },
    [`${id}.receive`]: {
      action: "receive",
      channel: ref(`#/channels/${id}`),
      summary: `Subscribers of ${e.type}`,
      messages,
      "x-lag-principals": expand(e.audience),
      ...(consumers.length > 0 ? { "x-lag-consumers": consumers } : {}),
    },
  };
  return { id, message, channel, operations, schema: embeddedSchema(e.schema) };
}
