import { Headers } from "../envelope.ts";
import { principalNames } from "../principals.ts";
import { DLQ_PREFIX } from "../streams.ts";
import { ref, stringHeaders } from "./asyncapi-common.ts";

/** The dead-letter channel: every principal parks under its own name, the operator reads. */
export function deadLetterParts() {
  const id = "dead-letter";
  const dlqHeaders = Object.values(Headers).filter((h) => h.startsWith("Lag-Dlq-"));
  return {
    message: {
      name: id,
      title: "Dead letter",
      summary: "A message that failed validation or exhausted its deliveries: the original body, the reason in headers.",
      headers: stringHeaders(dlqHeaders),
      payload: { description: "The original message body, unchanged (it may not be valid JSON)." },
      examples: [
        {
          name: "invalid-data",
          headers: {
            [Headers.dlqCode]: "invalid-data",
            [Headers.dlqReason]: "data.usedPct: Too big: expected number to be <=100",
            [Headers.dlqSubject]: "lag.it.host.metrics.kronos",
            [Headers.dlqPrincipal]: "ceo",
            [Headers.dlqTime]: "2026-11-23T06:00:00.000Z",
          },
        },
      ],
    },
    channel: {
      address: `${DLQ_PREFIX}.{principal}.{subject}`,
      title: "Dead letters",
      description:
        "Parked by the principal that could not use a message. {subject} is the original subject and spans as many tokens as it has.",
      messages: { [id]: ref(`#/components/messages/${id}`) },
      parameters: {
        principal: { description: "The principal that parked the message.", enum: [...principalNames] },
        subject: { description: "The original subject (several tokens).", examples: ["lag.it.host.metrics.kronos"] },
      },
      // One stream per principal: LAG_DLQ_CEO, LAG_DLQ_IT_MONITOR, …
      "x-lag-stream": "LAG_DLQ_<PRINCIPAL>",
    },
    operations: {
      [`${id}.park`]: {
        action: "send",
        channel: ref(`#/channels/${id}`),
        summary: "Every principal parks what it cannot use, under its own name",
        messages: [ref(`#/channels/${id}/messages/${id}`)],
        "x-lag-principals": [...principalNames],
      },
      [`${id}.inspect`]: {
        action: "receive",
        channel: ref(`#/channels/${id}`),
        summary: "`lag dlq` reads them",
        messages: [ref(`#/channels/${id}/messages/${id}`)],
        "x-lag-principals": ["cli"],
      },
    },
  };
}
