import type { z } from "zod";

/*
 * Reads the shape of a zod 4 schema through its definition (`_zod.def`), to answer two questions the
 * loader has before validating: which keys a mapping accepts (for "did you mean") and whether a path
 * exists at all (an alias like NATS_URL only applies to schemas that have `nats.servers`).
 * Wrappers (optional, default, pipe, …) are looked through; unions contribute every option.
 */

type Schema = z.core.$ZodType;

interface Def {
  type: string;
  innerType?: Schema;
  in?: Schema;
  out?: Schema;
  shape?: Record<string, Schema>;
  catchall?: Schema;
  element?: Schema;
  valueType?: Schema;
  options?: Schema[];
  left?: Schema;
  right?: Schema;
  items?: Schema[];
  rest?: Schema | null;
  getter?: () => Schema;
}

const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "nonoptional", "readonly", "catch", "success"]);

function defOf(s: Schema): Def {
  return (s as unknown as { _zod: { def: Def } })._zod.def;
}

/** The concrete schemas a value is checked against, wrappers removed. */
function unwrap(s: Schema, seen = new Set<Schema>()): Schema[] {
  if (seen.has(s)) return [];
  seen.add(s);
  const def = defOf(s);
  if (WRAPPERS.has(def.type) && def.innerType) return unwrap(def.innerType, seen);
  if (def.type === "lazy" && def.getter) return unwrap(def.getter(), seen);
  if (def.type === "pipe") {
    // A transform has no shape of its own: the input side says what the operator writes.
    const inner = def.in && defOf(def.in).type !== "transform" ? def.in : def.out;
    return inner ? unwrap(inner, seen) : [];
  }
  if (def.type === "union" && def.options) return def.options.flatMap((o) => unwrap(o, seen));
  if (def.type === "intersection") return [def.left, def.right].flatMap((o) => (o ? unwrap(o, seen) : []));
  return [s];
}

function childOf(s: Schema, seg: PropertyKey): Schema | undefined {
  const def = defOf(s);
  switch (def.type) {
    case "object": {
      const own = def.shape?.[String(seg)];
      if (own) return own;
      const rest = def.catchall && defOf(def.catchall).type !== "never" ? def.catchall : undefined;
      return rest;
    }
    case "record":
      return def.valueType;
    case "array":
      return typeof seg === "number" || /^\d+$/.test(String(seg)) ? def.element : undefined;
    case "tuple":
      return def.items?.[Number(seg)] ?? def.rest ?? undefined;
    default:
      return undefined;
  }
}

/** Every schema that may apply at `path`; empty when the schema has no such place. */
export function schemasAt(schema: Schema, path: readonly PropertyKey[]): Schema[] {
  let current = unwrap(schema);
  for (const seg of path) {
    current = current.flatMap((s) => {
      const child = childOf(s, seg);
      return child ? unwrap(child) : [];
    });
    if (current.length === 0) break;
  }
  return current;
}

export function hasPath(schema: Schema, path: readonly PropertyKey[]): boolean {
  return schemasAt(schema, path).length > 0;
}

/** The keys a mapping at `path` declares (its shape), for suggestions; empty when unknown. */
export function keysAt(schema: Schema, path: readonly PropertyKey[]): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(schema, path)) {
    const def = defOf(s);
    if (def.type === "object" && def.shape) for (const k of Object.keys(def.shape)) keys.add(k);
  }
  return [...keys];
}

/**
 * True when `path` runs into a part the schema leaves unchecked (`z.unknown()`): another process's
 * section, whose secrets this process has no reason to read.
 */
export function isOpaqueAt(schema: Schema, path: readonly PropertyKey[]): boolean {
  let current = unwrap(schema);
  for (const seg of path) {
    if (current.some((s) => OPAQUE.has(defOf(s).type))) return true;
    current = current.flatMap((s) => {
      const child = childOf(s, seg);
      return child ? unwrap(child) : [];
    });
    if (current.length === 0) return false;
  }
  return current.some((s) => OPAQUE.has(defOf(s).type));
}

const OPAQUE = new Set(["unknown", "any"]);
