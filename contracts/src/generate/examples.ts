import { createHash } from "node:crypto";
import type { EndpointDescriptor, EventDescriptor } from "../descriptors.ts";
import type { Envelope } from "../envelope.ts";
import { renderSubject, templateTokens } from "../subject.ts";

/** Generated files must not change between runs, so examples carry fixed ids and times. */
const EXAMPLE_TIME = "2026-11-23T06:00:00.000Z";

function stableUuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The concrete subject the descriptor's example is published on. */
export function exampleSubject(event: EventDescriptor): string {
  return renderSubject(event.subject, event.tokens(event.example) as Record<string, string>);
}

/** The example as it travels: a CloudEvents envelope around the descriptor's example data. */
export function exampleEnvelope(event: EventDescriptor): Envelope {
  return {
    specversion: "1.0",
    id: stableUuid(event.type),
    source: `/lag/${event.publisher}/kronos`,
    type: event.type,
    time: EXAMPLE_TIME,
    datacontenttype: "application/json",
    data: event.example,
  };
}

/**
 * Example values of an endpoint's `{tokens}`: the same-named field of its example request or reply
 * (`{host}` → the reply's `host`), so documents show a subject that really answers.
 */
export function exampleEndpointTokens(ep: EndpointDescriptor): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of templateTokens(ep.subject)) {
    for (const source of [ep.example.request, ep.example.reply]) {
      const v = (source as Record<string, unknown> | null)?.[name];
      if (typeof v === "string" && out[name] === undefined) out[name] = v;
    }
  }
  return out;
}

/** The endpoint subject with example tokens filled in; `<name>` where no example says. */
export function exampleEndpointSubject(ep: EndpointDescriptor): string {
  const values = exampleEndpointTokens(ep);
  return ep.subject.replace(/\{([a-zA-Z][a-zA-Z0-9]*)\}/g, (_, name: string) => values[name] ?? `<${name}>`);
}
