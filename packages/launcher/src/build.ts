import { readFile } from "node:fs/promises";
import { isBuiltin } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import type { ProcessEntry } from "./processes.ts";

/**
 * Compiles one agent process to a single ES module that plain `node` runs, so a running agent
 * carries no TypeScript loader: under `node --import tsx` every process also holds tsx's loader
 * thread and transforms, 30 – 45 MiB more (average – peak; bench/README.md, "bench/monitor").
 *
 * Only the project's own TypeScript goes into the bundle (agents, packages, contracts). Every npm
 * dependency stays outside it, imported from the absolute path it resolves to, so Node loads it
 * exactly as it would from source (native addons, files read beside the module, CommonJS). The
 * bundle can therefore live anywhere; the launcher writes it to `dist/<process>.mjs`.
 */
export async function bundleProcess(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "silent",
    plugins: [externalDependencies, sourceLocations],
  });
}

/** Bundles every process in parallel; returns each process's bundle path. */
export async function bundleProcesses(procs: readonly ProcessEntry[], outDir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await Promise.all(
    procs.map(async (p) => {
      const file = join(outDir, `${p.name}.mjs`);
      await bundleProcess(p.entry, file);
      out.set(p.name, file);
    }),
  );
  return out;
}

const INNER = Symbol("resolving");

/** Bare imports that resolve into node_modules stay external, by absolute path. */
const externalDependencies: Plugin = {
  name: "lag-external-dependencies",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === INNER || isBuiltin(args.path)) return undefined;
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: INNER });
      if (r.errors.length > 0) return { errors: r.errors };
      // Workspace packages resolve (through pnpm's symlinks) to their sources: bundled.
      return r.path.includes("/node_modules/") ? { path: r.path, external: true } : { path: r.path };
    });
  },
};

/**
 * `import.meta.url` keeps meaning the source file it is written in (migrations folders and other
 * files are found relative to it), not the bundle.
 */
const sourceLocations: Plugin = {
  name: "lag-source-locations",
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.includes("/node_modules/")) return undefined;
      const text = await readFile(args.path, "utf8");
      return { contents: text.replaceAll("import.meta.url", JSON.stringify(pathToFileURL(args.path).href)), loader: "ts" };
    });
  },
};
