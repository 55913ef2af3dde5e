import type { ActionKind } from "@lag/contracts";
import { pruneDocker } from "./prune-docker.ts";
import { restartContainer } from "./restart-container.ts";
import type { Runbook } from "./runbook.ts";

/**
 * The runbooks the incident worker can run, by action kind. A new action: one file and one line
 * here. Other kinds belong to other workers (`restore-backup`: the backup worker).
 */
export const RUNBOOKS = {
  "restart-container": restartContainer,
  "prune-docker": pruneDocker,
} as const satisfies { readonly [K in ActionKind]?: Runbook<K> };

export type RunbookKind = keyof typeof RUNBOOKS;
export const RUNBOOK_KINDS = Object.keys(RUNBOOKS) as [RunbookKind, ...RunbookKind[]];

export function runbookFor(kind: RunbookKind): Runbook {
  return RUNBOOKS[kind] as unknown as Runbook;
}
