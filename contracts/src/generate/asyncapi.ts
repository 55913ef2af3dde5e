import { Envelope } from "../envelope.ts";
import { bySubject, endpointsOf, type Catalog } from "./catalog-view.ts";
import { ref, type Obj } from "./asyncapi-common.ts";
import { deadLetterParts } from "./asyncapi-dead-letters.ts";
import { endpointParts } from "./asyncapi-endpoints.ts";
import { eventParts } from "./asyncapi-events.ts";
import { embeddedSchema } from "./json-schema.ts";
import { stableJson } from "./stable-json.ts";

export const ASYNCAPI_FILE = "contracts/generated/asyncapi.json";

/** The API version: bump it with the contracts package when a message changes incompatibly. */
export const API_VERSION = "0.1.0";

/** The AsyncAPI 3.0.0 document of every channel in the catalog. */
export function asyncApiDocument(cat: Catalog): Obj {
  const channels: Obj = {};
  const operations: Obj = {};
  const messages: Obj = {};
  const schemas: Obj = { Envelope: embeddedSchema(Envelope) };
  for (const e of bySubject(cat.events)) {
    const p = eventParts(cat, e);
    channels[p.id] = p.channel;
    messages[p.id] = p.message;
    schemas[p.id] = p.schema;
    Object.assign(operations, p.operations);
  }
  for (const ep of bySubject(endpointsOf(cat))) {
    const p = endpointParts(ep);
    Object.assign(channels, p.channels);
    Object.assign(messages, p.messages);
    Object.assign(schemas, p.schemas);
    Object.assign(operations, p.operations);
  }
  const dlq = deadLetterParts();
  channels["dead-letter"] = dlq.channel;
  messages["dead-letter"] = dlq.message;
  Object.assign(operations, dlq.operations);
  return {
    asyncapi: "3.0.0",
    id: "urn:es:lagrieta:lag",
    info: {
      title: "LAG bus",
      version: API_VERSION,
      description:
        "Every subject of the LAG agents on NATS: CloudEvents on `lag.<agent>.…`, request/reply as NATS micro " +
        "services, dead letters on `lag.dlq.<principal>.…`. Generated from contracts/src by `pnpm gen`; do not edit. " +
        "Operation owners are in `x-lag-principals`; the JetStream stream of a channel is in `x-lag-stream`.",
    },
    defaultContentType: "application/json",
    servers: {
      dev: {
        host: "127.0.0.1:4222",
        protocol: "nats",
        description: "`npm start`: one node with JetStream, no auth (infra/nats/dev.conf).",
      },
      production: {
        host: "kronos:4222",
        protocol: "nats",
        description: "infra/nats/prod.conf: one user per principal, permissions derived from the contracts.",
        security: [ref("#/components/securitySchemes/principal")],
      },
    },
    channels,
    operations,
    components: {
      schemas,
      messages,
      securitySchemes: {
        principal: { type: "userPassword", description: "One NATS user per principal (it-monitor, ceo, media, cli)." },
      },
    },
  };
}

export function renderAsyncApi(cat: Catalog): string {
  return stableJson(asyncApiDocument(cat));
}
