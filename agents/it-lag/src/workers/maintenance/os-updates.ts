import { existsSync, readFileSync, statSync } from "node:fs";
import { runCommand } from "@lag/command";
import type { PendingPackage } from "@lag/contracts";

/**
 * `Inst openssl [3.0.15-1~deb12u1] (3.0.17-1~deb12u2 Debian-Security:12/stable-security [amd64])`,
 * as `apt-get -s upgrade` prints each package it would install; a new package has no `[from]`.
 */
const INST = /^Inst (\S+) (?:\[([^\]]+)\] )?\((\S+) (.+?)(?: \[[^\]]+\])?\)/;

export function parseAptSimulation(text: string): PendingPackage[] {
  const out: PendingPackage[] = [];
  for (const line of text.split("\n")) {
    const m = INST.exec(line.trim());
    if (!m) continue;
    // The origins are comma-separated when a version comes from several (`Debian:12.8/stable, Debian-Security:12/stable-security`).
    const origin = m[4]!;
    out.push({ name: m[1]!, ...(m[2] ? { from: m[2] } : {}), to: m[3]!, origin, security: /security/i.test(origin) });
  }
  return out;
}

export interface OsUpdates {
  pending: number;
  security: number;
  packages: PendingPackage[];
  rebootRequired: boolean;
  rebootPackages: string[];
  /** When the reboot-required file appeared. */
  rebootSince?: number;
}

/** Pending upgrades from a simulated apt run (nothing is installed, no lock is taken) and whether a reboot waits. */
export async function osUpdates(o: { command: readonly string[]; rebootRequiredFile: string; signal?: AbortSignal }): Promise<OsUpdates> {
  const [program, ...args] = o.command;
  const r = await runCommand(program!, args, {
    timeoutMs: 120_000,
    check: true,
    env: { LANG: "C", LC_ALL: "C", DEBIAN_FRONTEND: "noninteractive" },
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const packages = parseAptSimulation(r.stdout).sort((a, b) => Number(b.security) - Number(a.security) || a.name.localeCompare(b.name));
  const rebootRequired = existsSync(o.rebootRequiredFile);
  const pkgsFile = `${o.rebootRequiredFile}.pkgs`;
  const rebootPackages =
    rebootRequired && existsSync(pkgsFile)
      ? [
          ...new Set(
            readFileSync(pkgsFile, "utf8")
              .split("\n")
              .map((l) => l.trim())
              .filter(Boolean),
          ),
        ]
      : [];
  return {
    pending: packages.length,
    security: packages.filter((p) => p.security).length,
    packages: packages.slice(0, 100),
    rebootRequired,
    rebootPackages,
    ...(rebootRequired ? { rebootSince: statSync(o.rebootRequiredFile).mtimeMs } : {}),
  };
}
