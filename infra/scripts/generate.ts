/**
 * `pnpm gen`: writes every file derived from the code — from the contracts (JSON Schemas, AsyncAPI,
 * docs/subjects.md, infra/nats/prod.conf and cluster/), from the declared processes (the systemd
 * target and drop-ins, the Compose file) and from the monitor's default rules (their block in
 * config/lag.sample.yaml) — and removes generated files nothing produces any more.
 * `pnpm gen --check` writes nothing and exits 1 listing what is stale (what the tests check too).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { catalog } from "@lag/contracts";
import { catalogProblems, GENERATED_DIRS, generatedFiles } from "@lag/contracts/generate";
import { sampleWithDefaultRules } from "@lag/it-lag";
import { deployFiles, discoverProcesses, isGeneratedDropIn } from "@lag/launcher";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const check = process.argv.includes("--check");

const read = (p: string) => {
  try {
    return readFileSync(join(root, p), "utf8");
  } catch {
    return undefined;
  }
};

const problems = catalogProblems(catalog);
if (problems.length > 0) {
  console.error(`the catalog is inconsistent; fix contracts/src first:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  process.exit(1);
}

const SAMPLE_CONFIG = "config/lag.sample.yaml";

const files = [
  ...generatedFiles(catalog),
  ...deployFiles(discoverProcesses(root)),
  { path: SAMPLE_CONFIG, text: sampleWithDefaultRules(read(SAMPLE_CONFIG) ?? "") },
];
const wanted = new Set(files.map((f) => f.path));
const changed = files.filter((f) => read(f.path) !== f.text).map((f) => f.path);
const dropIns = readdirSync(join(root, "infra/systemd"))
  .filter((d) => d.endsWith(".service.d"))
  .flatMap((d) => readdirSync(join(root, "infra/systemd", d)).map((f) => `infra/systemd/${d}/${f}`))
  .filter(isGeneratedDropIn);
const orphans = [
  ...GENERATED_DIRS.flatMap((d) => {
    try {
      return readdirSync(join(root, d)).map((f) => `${d}/${f}`);
    } catch {
      return [];
    }
  }),
  ...dropIns,
].filter((p) => !wanted.has(p));

if (check) {
  for (const p of changed) console.error(`stale: ${p}`);
  for (const p of orphans) console.error(`no longer generated: ${p}`);
  if (changed.length + orphans.length > 0) {
    console.error("run `pnpm gen` and commit the result");
    process.exit(1);
  }
  console.log(`${files.length} generated files are up to date`);
} else {
  for (const f of files) {
    if (!changed.includes(f.path)) continue;
    mkdirSync(dirname(join(root, f.path)), { recursive: true });
    writeFileSync(join(root, f.path), f.text);
    console.log(`wrote ${f.path}`);
  }
  for (const p of orphans) {
    rmSync(join(root, p));
    console.log(`removed ${p}`);
  }
  console.log(`${files.length} generated files, ${changed.length} updated, ${orphans.length} removed`);
}
