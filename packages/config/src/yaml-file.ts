import { readFileSync } from "node:fs";
import { isAbsolute, relative } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";

/** A parsed configuration file that can say on which line each key was written. */
export interface YamlFile {
  /** Absolute path. */
  file: string;
  /** How problems name the file: relative to the working directory when inside it. */
  shown: string;
  data: unknown;
  /** `lag.yaml:14` for the key at `path`, or for its nearest written ancestor; undefined at the root. */
  where(path: readonly PropertyKey[]): string | undefined;
}

export type YamlResult = { ok: true; yaml: YamlFile } | { ok: false; problems: string[] };

export function shownPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel.length > 0 && !rel.startsWith("..") && !isAbsolute(rel) ? rel : file;
}

/** Reads and parses a YAML file; syntax errors come back as `lag.yaml:4:1 …` lines, all of them. */
export function readYamlFile(file: string, cwd: string): YamlResult {
  const shown = shownPath(file, cwd);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    return { ok: false, problems: [readProblem(shown, err as NodeJS.ErrnoException)] };
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const at = e.linePos?.[0];
        // yaml appends " at line L, column C:" and a source excerpt; the position goes in front instead.
        const message = e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, "");
        return `${shown}${at ? `:${at.line}:${at.col}` : ""} YAML syntax error: ${message}`;
      }),
    };
  }
  const root = doc.contents;
  if (root !== null && !isMap(root)) {
    const kind = isSeq(root) ? "a list" : "a single value";
    return { ok: false, problems: [`${shown}:1 (root): expected a mapping of keys (key: value), got ${kind}`] };
  }
  return {
    ok: true,
    yaml: {
      file,
      shown,
      data: doc.toJS() ?? {},
      where(path) {
        const offset = offsetOf(root, path);
        return offset === undefined ? undefined : `${shown}:${lines.linePos(offset).line}`;
      },
    },
  };
}

function readProblem(shown: string, err: NodeJS.ErrnoException): string {
  if (err.code === "ENOENT")
    return `${shown}: file not found; create it (config/lag.sample.yaml is a starting point) or point LAG_CONFIG at an existing file`;
  if (err.code === "EACCES") return `${shown}: permission denied; make it readable by the user running LAG`;
  if (err.code === "EISDIR") return `${shown}: is a directory; point LAG_CONFIG at the YAML file inside it`;
  return `${shown}: cannot read (${err.code ?? err.message})`;
}

/**
 * Where the deepest written part of `path` starts: for a mapping entry the key (its line is the
 * one the operator looks for), for a list item the item.
 */
function offsetOf(root: Node | null, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = root;
  let found: number | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      found = isScalar(pair.key) ? pair.key.range?.[0] : found;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === "number") {
      const item = node.items[seg];
      if (!item) break;
      found = (item as Node).range?.[0] ?? found;
      node = item;
    } else {
      break;
    }
  }
  return found;
}
