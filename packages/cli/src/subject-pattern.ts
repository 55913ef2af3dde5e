/**
 * A NATS subject or wildcard pattern: non-empty tokens separated by dots, no whitespace, `*` or `>`
 * only as whole tokens and `>` only last. Checked here because the server answers a bad one with
 * an error the client does not tie back to the subscription: a tail would just stay silent.
 */
export function isSubjectPattern(p: string): boolean {
  const tokens = p.split(".");
  return tokens.every(
    (t, i) => t.length > 0 && !/\s/.test(t) && (t === "*" || t === ">" || !/[*>]/.test(t)) && (t !== ">" || i === tokens.length - 1),
  );
}
