/**
 * `@lag/contracts/generate`: everything derived from the catalog (JSON Schema, AsyncAPI, the
 * subject catalogue, NATS server configs). Each generator is a pure function of a catalog; the
 * `pnpm gen` script writes their output and tests compare it with what is committed.
 */
export type { Catalog } from "./catalog-view.ts";
export { API_VERSION, ASYNCAPI_FILE, asyncApiDocument, renderAsyncApi } from "./asyncapi.ts";
export { catalogProblems } from "./catalog-lint.ts";
export { CLUSTER_DIR, CLUSTER_NODES, renderCluster } from "./cluster-conf.ts";
export { exampleEnvelope, exampleSubject } from "./examples.ts";
export type { JsonSchema } from "./json-schema.ts";
export { toJsonSchema } from "./json-schema.ts";
export type { GeneratedFile } from "./outputs.ts";
export { GENERATED_DIRS, generatedFiles } from "./outputs.ts";
export type { SubjectGroup, UserPermissions } from "./permissions.ts";
export { ADMIN_USER, derivePermissions, passwordEnvOf } from "./permissions.ts";
export { PROD_CONF_FILE, renderProdConf } from "./prod-conf.ts";
export type { SchemaDocument } from "./schemas.ts";
export { renderSchemas, schemaDocuments, SCHEMAS_DIR } from "./schemas.ts";
export { renderSubjectsDoc, SUBJECTS_DOC_FILE } from "./subjects-doc.ts";
export { stableJson } from "./stable-json.ts";
