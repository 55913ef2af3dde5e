import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type AnySchema } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import specs from "@asyncapi/specs";
import { describe, expect, it } from "vitest";
import { catalog } from "@lag/contracts";
import { ASYNCAPI_FILE, GENERATED_DIRS, generatedFiles, schemaDocuments, SCHEMAS_DIR } from "@lag/contracts/generate";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const read = (p: string) => readFileSync(join(root, p), "utf8");
// ajv-formats is CommonJS: under NodeNext its types put the plugin on `.default`, while at run time
// the default import is the plugin itself (which also carries `.default`).
const addFormats: typeof addFormatsModule.default = addFormatsModule.default ?? (addFormatsModule as never);

const files = generatedFiles(catalog);

describe("generated files", () => {
  it.each(files.map((f) => [f.path, f] as const))("%s is up to date", (path, f) => {
    let committed: string | undefined;
    try {
      committed = read(path);
    } catch {
      committed = undefined;
    }
    expect(committed, `${path} is missing or stale: run \`pnpm gen\` and commit the result`).toBe(f.text);
  });

  it("leaves no file behind that no contract produces any more", () => {
    const wanted = new Set(files.map((f) => f.path));
    const orphans = GENERATED_DIRS.flatMap((d) => readdirSync(join(root, d)).map((f) => `${d}/${f}`)).filter((p) => !wanted.has(p));
    expect(orphans, "run `pnpm gen` to remove them").toEqual([]);
  });
});

/** The example with its first field given a value of the wrong type. */
function corrupt(example: unknown): unknown {
  if (example === null || typeof example !== "object" || Array.isArray(example)) return { corrupted: true };
  const [key, value] = Object.entries(example)[0] ?? ["corrupted", undefined];
  return { ...example, [key]: typeof value === "string" ? 12345 : "corrupted" };
}

describe("JSON Schemas", () => {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);

  it.each(schemaDocuments(catalog).map((d) => [d.file, d] as const))(
    "%s compiles, accepts the example, rejects a corrupted one",
    (file, d) => {
      const schema = JSON.parse(read(`${SCHEMAS_DIR}/${file}`)) as AnySchema;
      const validate = ajv.compile(schema);
      expect(validate(d.example), JSON.stringify(validate.errors)).toBe(true);
      const bad = corrupt(d.example);
      expect(validate(bad)).toBe(false);
      // zod, which guards the bus, refuses the same message: schema and contract agree.
      expect(d.zod.safeParse(bad).success).toBe(false);
    },
  );

  it("keeps the runtime's leniency: extra fields pass a plain object and fail a strict one", () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
    const docs = schemaDocuments(catalog);
    const envelope = docs.find((d) => d.file === "envelope.json")!;
    const query = docs.find((d) => d.file === "lag.it.storage.query.request.json")!;
    expect(ajv.validate(envelope.schema, { ...(envelope.example as object), ext: "x" })).toBe(true);
    expect(envelope.zod.safeParse({ ...(envelope.example as object), ext: "x" }).success).toBe(true);
    expect(ajv.validate(query.schema, { colour: "blue" })).toBe(false);
    expect(query.zod.safeParse({ colour: "blue" }).success).toBe(false);
  });
});

describe("the AsyncAPI document", () => {
  const doc = JSON.parse(read(ASYNCAPI_FILE)) as Record<string, unknown>;

  it("validates against the official AsyncAPI 3.0.0 JSON Schema", () => {
    // The official schema bundles its own copy of the draft-07 meta-schema under the same id as
    // ajv's built-in one; without ajv's copy (meta: false) the bundled one is used.
    const ajv = new Ajv({ allErrors: true, strict: false, meta: false, validateSchema: false });
    addFormats(ajv);
    const validate = ajv.compile(specs.schemas["3.0.0"] as AnySchema);
    expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const broken = structuredClone(doc) as { operations: Record<string, { action: string }> };
    Object.values(broken.operations)[0]!.action = "publish";
    expect(validate(broken), "the validator must refuse an AsyncAPI 2 style action").toBe(false);
  });

  it("resolves every $ref inside itself", () => {
    const refs: string[] = [];
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === "object") {
        for (const [k, x] of Object.entries(v)) k === "$ref" && typeof x === "string" ? refs.push(x) : walk(x);
      }
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) {
      const target = r
        .replace(/^#\//, "")
        .split("/")
        .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
      expect(target, `${r} points nowhere`).toBeDefined();
    }
  });

  it("has a channel per event and per endpoint, and message examples that match their payload schema", () => {
    const channels = doc.channels as Record<string, { address: string | null }>;
    const addresses = Object.values(channels).map((c) => c.address);
    for (const e of catalog.events) expect(addresses).toContain(e.subject);
    for (const s of catalog.services) for (const ep of Object.values(s.endpoints)) expect(addresses).toContain(ep.subject);

    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    // Only the components: the document's own `id` field means something else to a JSON Schema validator.
    ajv.addSchema({ components: doc.components } as AnySchema, "urn:lag:asyncapi");
    const messages = (doc.components as { messages: Record<string, { payload: unknown; examples?: { payload?: unknown }[] }> }).messages;
    let checked = 0;
    for (const [id, m] of Object.entries(messages)) {
      for (const ex of m.examples ?? []) {
        if (ex.payload === undefined) continue;
        const validate = ajv.compile({ $ref: `urn:lag:asyncapi#/components/messages/${id}/payload` });
        expect(validate(ex.payload), `${id}: ${JSON.stringify(validate.errors)}`).toBe(true);
        expect(validate(corrupt(ex.payload)), `${id} accepts a corrupted example`).toBe(false);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(catalog.events.length);
  });
});
