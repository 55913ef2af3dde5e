import { templateTokens } from "../subject.ts";
import { HEADER_DOCS } from "./header-docs.ts";
import type { JsonSchema } from "./json-schema.ts";

/** Small builders shared by the parts of the AsyncAPI document. */
export type Obj = Record<string, unknown>;
export const ref = (path: string): Obj => ({ $ref: path });
export const stringHeaders = (names: readonly string[]): JsonSchema => ({
  type: "object",
  properties: Object.fromEntries(names.map((n) => [n, { type: "string", description: HEADER_DOCS[n] }])),
});

/** `{token}` parameters of a channel address, each with the example's value. */
export function parameters(template: string, example?: Record<string, string>): Obj | undefined {
  const tokens = templateTokens(template);
  if (tokens.length === 0) return undefined;
  return Object.fromEntries(
    tokens.map((t) => [
      t,
      {
        description: `Subject token {${t}}: one token, no dots, spaces or wildcards.`,
        ...(example?.[t] ? { examples: [example[t]] } : {}),
      },
    ]),
  );
}
