import { principalNames } from "@lag/contracts";
import type { ProcessEntry } from "../processes.ts";
import { COMPOSE_FILE, renderCompose } from "./compose.ts";
import { renderSystemd, SYSTEMD_DIR } from "./systemd.ts";

export interface DeployFile {
  /** Relative to the repository root. */
  path: string;
  text: string;
}

/**
 * The deployment files derived from the declared processes (systemd target and drop-ins, the
 * Compose file), as prod.conf is derived from the contracts. Each process must be a principal: it
 * connects as the NATS user of its name.
 */
export function deployFiles(procs: readonly ProcessEntry[]): DeployFile[] {
  const strangers = procs.filter((p) => !(principalNames as readonly string[]).includes(p.name));
  if (strangers.length > 0) {
    throw new Error(
      `process ${strangers.map((p) => p.name).join(", ")} is no principal of the contracts (contracts/src/principals.ts): a process connects as the NATS user of its name`,
    );
  }
  return [
    { path: COMPOSE_FILE, text: renderCompose(procs) },
    ...[...renderSystemd(procs)].map(([file, text]) => ({ path: `${SYSTEMD_DIR}/${file}`, text })),
  ];
}

/** Generated drop-in folders: one that no process needs any more is stale. */
export const isGeneratedDropIn = (path: string) => /^infra\/systemd\/lag@[^/]+\.service\.d\/docker\.conf$/.test(path);
