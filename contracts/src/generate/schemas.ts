import type { z } from "zod";
import type { EventDescriptor } from "../descriptors.ts";
import { Envelope } from "../envelope.ts";
import { bySubject, endpointsOf, templateId, type Catalog } from "./catalog-view.ts";
import { exampleEnvelope } from "./examples.ts";
import { toJsonSchema, type JsonSchema } from "./json-schema.ts";
import { stableJson } from "./stable-json.ts";

/** Where the files go, relative to the repository root. */
export const SCHEMAS_DIR = "contracts/generated/schemas";
const ID_BASE = "https://lagrieta.es/lag/schemas/";

export interface SchemaDocument {
  /**
   * File name inside SCHEMAS_DIR: the event type, or the endpoint subject plus `.request`/`.reply`
   * (`{token}` written `_token_`, see templateId).
   */
  file: string;
  schema: JsonSchema;
  /** The zod schema it came from, and the contract's example, so tests can compare both ways. */
  zod: z.ZodType;
  example: unknown;
}

function doc(file: string, zod: z.ZodType, example: unknown, title: string, description: string, comment: string): SchemaDocument {
  const schema: JsonSchema = {
    ...toJsonSchema(zod, "draft-2020-12"),
    $id: `${ID_BASE}${file}`,
    title,
    description,
    $comment: `Generated from contracts/src by \`pnpm gen\`; do not edit. ${comment}`,
  };
  return { file, schema, zod, example };
}

/** One JSON Schema (draft 2020-12) per message shape in the catalog, sorted by file name. */
export function schemaDocuments(cat: Catalog): SchemaDocument[] {
  const out: SchemaDocument[] = [];
  const first = cat.events[0];
  out.push(
    doc(
      "envelope.json",
      Envelope,
      first ? exampleEnvelope(first) : undefined,
      "LAG event envelope (CloudEvents 1.0, structured JSON)",
      "Every event travels in this envelope; `data` is described by the schema named after `type`.",
      "Extension attributes: correlationid (the chain), causationid (the direct cause).",
    ),
  );
  const seen = new Set<string>();
  for (const e of bySubject(cat.events)) {
    // One schema per type: a contract several publishers share (alerts) is one file naming every subject.
    if (seen.has(e.type)) continue;
    seen.add(e.type);
    const carriers = cat.events.filter((x) => x.type === e.type);
    const where = (x: EventDescriptor) =>
      `${x.subject} (${x.stream ? `JetStream stream ${x.stream.name}` : "core NATS"}), published by ${x.publisher}`;
    out.push(doc(`${e.type}.json`, e.schema, e.example, e.type, e.description, `Data of events on ${carriers.map(where).join("; ")}.`));
  }
  for (const ep of bySubject(endpointsOf(cat))) {
    const about = `Endpoint ${ep.name} of service ${ep.service}, served by ${ep.server}.`;
    out.push(doc(`${templateId(ep.subject)}.request.json`, ep.request, ep.example.request, `${ep.subject} request`, ep.description, about));
    out.push(doc(`${templateId(ep.subject)}.reply.json`, ep.reply, ep.example.reply, `${ep.subject} reply`, ep.description, about));
  }
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

/** File name → file text, ready to write or to compare with what is committed. */
export function renderSchemas(cat: Catalog): Map<string, string> {
  return new Map(schemaDocuments(cat).map((d) => [d.file, stableJson(d.schema)]));
}
