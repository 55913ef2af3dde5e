import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { deployFiles, discoverProcesses } from "@lag/launcher";

const root = resolve(import.meta.dirname, "..");

describe("generated files", () => {
  it("are all up to date: `pnpm gen --check` finds nothing stale (contracts, deployment, sample rules)", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "infra/scripts/generate.ts", "--check"], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(`${r.stdout}${r.stderr}`).toMatch(/generated files are up to date/);
    expect(r.status).toBe(0);
  });

  it("give every declared process a systemd unit in lag.target and a Compose service connecting as its own user", () => {
    const procs = discoverProcesses(root);
    const files = new Map(deployFiles(procs).map((f) => [f.path, f.text]));
    const target = files.get("infra/systemd/lag.target")!;
    const compose = files.get("infra/compose/docker-compose.yml")!;
    for (const p of procs) {
      expect(target).toContain(`lag@${p.name}.service`);
      expect(compose).toContain(`\n  ${p.name}:\n`);
      expect(compose).toContain(`NATS_USER: ${p.name}\n`);
      expect(files.has(`infra/systemd/lag@${p.name}.service.d/docker.conf`)).toBe(p.needs.includes("docker"));
    }
  });

  it("refuse a process that is no principal of the contracts", () => {
    expect(() => deployFiles([{ name: "stranger", agent: "x", entry: "/x.ts", needs: [] }])).toThrow(/stranger is no principal/);
  });
});
