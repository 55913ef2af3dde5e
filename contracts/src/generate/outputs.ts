import { renderAsyncApi, ASYNCAPI_FILE } from "./asyncapi.ts";
import type { Catalog } from "./catalog-view.ts";
import { CLUSTER_DIR, renderCluster } from "./cluster-conf.ts";
import { PROD_CONF_FILE, renderProdConf } from "./prod-conf.ts";
import { renderSchemas, SCHEMAS_DIR } from "./schemas.ts";
import { renderSubjectsDoc, SUBJECTS_DOC_FILE } from "./subjects-doc.ts";

export interface GeneratedFile {
  /** Relative to the repository root. */
  path: string;
  text: string;
}

/** Folders whose every file is generated: a file there that is not produced any more is stale. */
export const GENERATED_DIRS = [SCHEMAS_DIR, CLUSTER_DIR];

/** Every generated file, as the contracts say it should be now. */
export function generatedFiles(cat: Catalog): GeneratedFile[] {
  const out: GeneratedFile[] = [];
  for (const [file, text] of renderSchemas(cat)) out.push({ path: `${SCHEMAS_DIR}/${file}`, text });
  out.push({ path: ASYNCAPI_FILE, text: renderAsyncApi(cat) });
  out.push({ path: SUBJECTS_DOC_FILE, text: renderSubjectsDoc(cat) });
  out.push({ path: PROD_CONF_FILE, text: renderProdConf(cat) });
  for (const [file, text] of renderCluster(cat)) out.push({ path: `${CLUSTER_DIR}/${file}`, text });
  return out;
}
