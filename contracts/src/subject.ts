/**
 * Subject templates: `lag.it.host.metrics.{host}`. A `{name}` is a token filled from data at
 * publish time; every other part is literal. Subjects are only ever built here, from templates
 * declared in this package, so a typo cannot silently route a message nowhere.
 */

/** The token names of a template, as a union type: TokensOf<"a.{x}.{y}"> = "x" | "y". */
export type TokensOf<S extends string> = S extends `${string}{${infer T}}${infer Rest}` ? T | TokensOf<Rest> : never;

export type TokenValues<S extends string> = { [K in TokensOf<S>]: string };

/** A token value must be one subject token: no dots, spaces or wildcards. */
const TOKEN = /^[A-Za-z0-9_-][A-Za-z0-9_:@=+-]*$/;

export class SubjectError extends Error {
  override readonly name = "SubjectError";
  readonly code = "LAG_SUBJECT";
}

export function templateTokens(template: string): string[] {
  return [...template.matchAll(/\{([a-zA-Z][a-zA-Z0-9]*)\}/g)].map((m) => m[1]!);
}

export function isValidToken(value: string): boolean {
  return TOKEN.test(value);
}

/** Turns a free string (a host name, a rule name) into a safe subject token. */
export function toToken(value: string): string {
  const t = value.replace(/[^A-Za-z0-9_:@=+-]+/g, "_").replace(/^[^A-Za-z0-9_-]/, "_");
  return t.length > 0 ? t : "_";
}

/** A template split once into literal and token parts; subjects are built and read on every message. */
interface Compiled {
  parts: readonly ({ literal: string } | { token: string })[];
  count: number;
}

const compiled = new Map<string, Compiled>();

function compile(template: string): Compiled {
  let c = compiled.get(template);
  if (!c) {
    const parts = template.split(".").map((p) => {
      const m = /^\{([a-zA-Z][a-zA-Z0-9]*)\}$/.exec(p);
      return m ? { token: m[1]! } : { literal: p };
    });
    c = { parts, count: parts.length };
    compiled.set(template, c);
  }
  return c;
}

/** Fills every token of a template; throws naming the token when one is missing or unsafe. */
export function renderSubject(template: string, values: Record<string, string>): string {
  let out = "";
  for (const p of compile(template).parts) {
    if (out.length > 0) out += ".";
    if ("literal" in p) {
      out += p.literal;
      continue;
    }
    const v = values[p.token];
    if (v === undefined) throw new SubjectError(`subject ${template}: token {${p.token}} has no value`);
    if (!TOKEN.test(v)) {
      throw new SubjectError(
        `subject ${template}: token {${p.token}} = ${JSON.stringify(v)} is not a valid subject token (no dots, spaces, * or >)`,
      );
    }
    out += v;
  }
  return out;
}

/** A subscription filter: given tokens are filled, the others become `*`. */
export function filterSubject(template: string, values: Partial<Record<string, string>> = {}): string {
  return compile(template)
    .parts.map((p) => {
      if ("literal" in p) return p.literal;
      const v = values[p.token];
      if (v === undefined || v === "*") return "*";
      if (!TOKEN.test(v)) throw new SubjectError(`filter ${template}: token {${p.token}} = ${JSON.stringify(v)} is invalid`);
      return v;
    })
    .join(".");
}

/** Reads the tokens back out of a concrete subject, or undefined when it does not fit the template. */
export function parseSubject(template: string, subject: string): Record<string, string> | undefined {
  const c = compile(template);
  const s = subject.split(".");
  if (s.length !== c.count) return undefined;
  const out: Record<string, string> = {};
  for (let i = 0; i < c.count; i++) {
    const p = c.parts[i]!;
    if ("literal" in p) {
      if (p.literal !== s[i]) return undefined;
    } else {
      out[p.token] = s[i]!;
    }
  }
  return out;
}

/** NATS wildcard matching of a concrete subject against a filter (`*` one token, `>` the rest). */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split(".");
  const s = subject.split(".");
  for (let i = 0; i < f.length; i++) {
    if (f[i] === ">") return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== "*" && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

/** True when some subject could match both filters (used to keep services out of streams). */
export function filtersOverlap(a: string, b: string): boolean {
  const x = a.split(".");
  const y = b.split(".");
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    if (x[i] === ">" || y[i] === ">") return i < x.length && i < y.length;
    if (x[i] === undefined || y[i] === undefined) return false;
    if (x[i] !== "*" && y[i] !== "*" && x[i] !== y[i]) return false;
  }
  return true;
}

/**
 * A NATS subject or wildcard pattern: non-empty tokens separated by dots, no whitespace, `*` or `>`
 * only as whole tokens and `>` only last. Checked before subscribing because the server answers a
 * bad one with an error the client does not tie back to the subscription: it would just stay silent.
 */
export function isSubjectPattern(p: string): boolean {
  const tokens = p.split(".");
  return tokens.every(
    (t, i) => t.length > 0 && !/\s/.test(t) && (t === "*" || t === ">" || !/[*>]/.test(t)) && (t !== ">" || i === tokens.length - 1),
  );
}
