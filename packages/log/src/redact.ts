/**
 * Secrets never reach a log line. Keys that name a secret are censored at any depth, and
 * credentials embedded in URLs (`nats://user:pass@host`, `nats://token@host`) are masked inside any
 * string.
 */
export const CENSOR = "[redacted]";

/** Long enough to be unambiguous anywhere in a key, even run together: `authtoken`, `DB_PASSWORD`. */
const SECRET_PARTS = /password|passwd|passphrase|secret|token|apikey|privatekey|credential|authorization/;
/** Short words that name a secret only as a word of their own: `nkeySeed`, not `seeding`; `pass`, not `passive`. */
const SECRET_WORDS = new Set(["pass", "pwd", "creds", "seed", "jwt", "cookie", "cookies"]);
/** Pairs of words that name a secret together but not apart (`apiKey`, but not `key` or `api`). */
const SECRET_PAIRS = new Set(["api key", "private key", "access key", "secret key", "session id"]);

const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+)(?::([^/\s@]*))?@/gi;

/** Deeper than this, values are cut rather than walked: a log line that deep is a bug, not data. */
const MAX_DEPTH = 64;

/** `nkeySeed` → [nkey, seed]; `X-API-Key` → [x, api, key]; `private_key` → [private, key]. */
function wordsOf(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

export function isSecretKey(key: string): boolean {
  const words = wordsOf(key);
  if (SECRET_PARTS.test(words.join(""))) return true;
  if (words.length === 1 && words[0] === "auth") return true;
  return words.some((w, i) => SECRET_WORDS.has(w) || (i > 0 && SECRET_PAIRS.has(`${words[i - 1]} ${w}`)));
}

export function redactString(s: string): string {
  // With a password the user name stays readable; alone, the user part is NATS's token form.
  return s.replace(URL_CREDENTIALS, (_m, scheme: string, user: string, pass: string | undefined) =>
    pass === undefined ? `${scheme}${CENSOR}@` : `${scheme}${user}:${CENSOR}@`,
  );
}

/** Returns a copy with secret keys censored; the caller's data is never changed. */
export function redact(value: unknown): unknown {
  return walk(value, 0, new Set());
}

function walk(value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object") return value;
  if (ancestors.has(value)) return "[Circular]";
  if (depth >= MAX_DEPTH) return "[too deep]";
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1, ancestors));
    if (value instanceof Error) return redactError(value, depth, ancestors);
    if (!isPlain(value)) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = censorable(k, v) ? CENSOR : walk(v, depth + 1, ancestors);
    return out;
  } finally {
    ancestors.delete(value);
  }
}

/** An empty or absent secret is shown as such: "password is empty" is a diagnosis, not a leak. */
function censorable(key: string, v: unknown): boolean {
  return isSecretKey(key) && v !== undefined && v !== null && v !== "";
}

/**
 * A copy that is still an Error of the same class, so pino's error serializer names its type and
 * joins the causes as usual; message, stack and every own property are redacted.
 */
function redactError(err: Error, depth: number, ancestors: Set<object>): Error {
  const copy = Object.create(Object.getPrototypeOf(err) as object) as Error & Record<string, unknown>;
  for (const [k, v] of Object.entries(err)) copy[k] = censorable(k, v) ? CENSOR : walk(v, depth + 1, ancestors);
  // Outside pino's `err` key an Error is written by JSON.stringify, which only sees own enumerable fields.
  if (!Object.hasOwn(err, "type")) copy.type = err.name;
  copy.message = redactString(err.message);
  if (err.stack !== undefined) copy.stack = redactString(err.stack);
  if (err.cause !== undefined) copy.cause = walk(err.cause, depth + 1, ancestors);
  return copy;
}

function isPlain(v: object): boolean {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}
