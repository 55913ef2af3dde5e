import type { EndpointDescriptor } from "../descriptors.ts";
import { Headers } from "../envelope.ts";
import { expand, templateId } from "./catalog-view.ts";
import { exampleEndpointTokens } from "./examples.ts";
import { embeddedSchema } from "./json-schema.ts";
import { parameters, ref, stringHeaders } from "./asyncapi-common.ts";

/**
 * An endpoint's request channel and reply channel (the caller's inbox, address unknown until the
 * request), its two messages, and two operations: the server receives and replies (in the
 * service's queue group), the callers send and get the reply.
 */
export function endpointParts(ep: EndpointDescriptor) {
  const id = templateId(ep.subject);
  const replyId = `${id}.reply`;
  const request = {
    name: `${id}.request`,
    title: `${ep.service}/${ep.name} request`,
    summary: ep.description,
    contentType: "application/json",
    payload: ref(`#/components/schemas/${id}.request`),
    headers: stringHeaders([Headers.ceSource, Headers.ceCorrelation, Headers.ceCausation]),
    examples: [{ name: "example", payload: ep.example.request }],
  };
  const reply = {
    name: replyId,
    title: `${ep.service}/${ep.name} reply`,
    summary: `The answer, or an error in the ${Headers.serviceError} / ${Headers.serviceErrorCode} headers with an empty body.`,
    contentType: "application/json",
    payload: ref(`#/components/schemas/${id}.reply`),
    headers: stringHeaders([Headers.serviceError, Headers.serviceErrorCode]),
    examples: [{ name: "example", payload: ep.example.reply }],
  };
  const channels = {
    [id]: {
      address: ep.subject,
      title: `${ep.service}/${ep.name}`,
      description: ep.description,
      messages: { request: ref(`#/components/messages/${id}.request`) },
      parameters: parameters(ep.subject, exampleEndpointTokens(ep)),
      "x-lag-service": { name: ep.service, endpoint: ep.name, queueGroup: ep.service },
    },
    [replyId]: {
      // NATS replies go to the caller's own inbox, named per request.
      address: null,
      description: "The caller's inbox (`_INBOX_<principal>.…`), given as the reply subject of each request.",
      messages: { reply: ref(`#/components/messages/${replyId}`) },
    },
  };
  const replyOf = { channel: ref(`#/channels/${replyId}`), messages: [ref(`#/channels/${replyId}/messages/reply`)] };
  const base = { channel: ref(`#/channels/${id}`), messages: [ref(`#/channels/${id}/messages/request`)], reply: replyOf };
  const operations = {
    [`${id}.serve`]: {
      action: "receive",
      summary: `${ep.server} answers ${ep.subject} (NATS micro service ${ep.service})`,
      ...base,
      bindings: { nats: { queue: ep.service, bindingVersion: "0.1.0" } },
      "x-lag-principals": [ep.server],
    },
    [`${id}.call`]: {
      action: "send",
      summary: `Callers of ${ep.subject}`,
      ...base,
      "x-lag-principals": expand(ep.callers),
    },
  };
  const schemas = { [`${id}.request`]: embeddedSchema(ep.request), [`${id}.reply`]: embeddedSchema(ep.reply) };
  return { messages: { [`${id}.request`]: request, [replyId]: reply }, channels, operations, schemas };
}
