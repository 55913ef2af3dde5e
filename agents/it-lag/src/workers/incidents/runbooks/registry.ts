import type { ActionKind } from "@lag/contracts";
import { pruneDocker } from "./prune-docker.ts";
import { restartContainer } from "./restart-container.ts";
import type { Runbook } from "./runbook.ts";

/** The runbooks the incident worker can run, by action kind. A new action: one file and one line here. */
export const RUNBOOKS: { readonly [K in ActionKind]: Runbook<K> } = {
  "restart-container": restartContainer,
  "prune-docker": pruneDocker,
};

export function runbookFor(kind: ActionKind): Runbook {
  return RUNBOOKS[kind] as unknown as Runbook;
}
