import { z } from "zod";

export type JsonSchema = Record<string, unknown>;

/**
 * Formats every JSON Schema validator knows. zod also emits its own names for some checks
 * (`starts_with`, `ends_with`, `includes`…) next to a `pattern` that already says the same;
 * validators reject or ignore unknown formats, so those are dropped and the pattern kept.
 */
const STANDARD_FORMATS = new Set([
  "date-time",
  "date",
  "time",
  "duration",
  "email",
  "idn-email",
  "hostname",
  "idn-hostname",
  "ipv4",
  "ipv6",
  "uri",
  "uri-reference",
  "iri",
  "iri-reference",
  "uuid",
  "uri-template",
  "json-pointer",
  "relative-json-pointer",
  "regex",
]);

/**
 * The JSON Schema of a contract's zod schema, as a receiver sees it (`io: "input"`): what
 * `schema.parse` accepts. So a plain `z.object` stays open to extra fields (zod strips them, a
 * newer publisher may add them) and only `.strict()` objects are closed, exactly as at runtime.
 *
 * draft-2020-12 for the standalone files; draft-7 inside AsyncAPI 3.0, whose default schema
 * format is a superset of draft-07.
 */
export function toJsonSchema(schema: z.ZodType, target: "draft-2020-12" | "draft-7"): JsonSchema {
  return z.toJSONSchema(schema, {
    target,
    io: "input",
    unrepresentable: "throw",
    override: (ctx) => {
      const s = ctx.jsonSchema as JsonSchema;
      if (typeof s.format === "string" && !STANDARD_FORMATS.has(s.format)) delete s.format;
    },
  }) as JsonSchema;
}

/** The same schema without its `$schema` line, to embed in a larger document. */
export function embeddedSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _drop, ...rest } = toJsonSchema(schema, "draft-7");
  return rest;
}
