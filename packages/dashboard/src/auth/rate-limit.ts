/**
 * Failed logins counted per key (the client's address, and the user name tried) in a sliding
 * window: past `max` failures a key is refused until its oldest failure leaves the window. Kept in
 * memory: a restart forgets them, which costs an attacker a restart of the service per window.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly o: { windowMs: number }) {}

  /** Ms until `key` may try again after `max` failures in the window; 0 when it may now. */
  retryAfter(key: string, max: number, now: number): number {
    const xs = this.recent(key, now);
    if (xs.length < max) return 0;
    return xs[xs.length - max]! + this.o.windowMs - now;
  }

  fail(key: string, now: number): void {
    this.failures.set(key, [...this.recent(key, now), now]);
    // Names that are tried once and never again would otherwise stay: past a bound, forget the stale ones.
    if (this.failures.size > 10_000) for (const k of [...this.failures.keys()]) this.recent(k, now);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  private recent(key: string, now: number): number[] {
    const xs = (this.failures.get(key) ?? []).filter((t) => t > now - this.o.windowMs);
    if (xs.length === 0) this.failures.delete(key);
    else this.failures.set(key, xs);
    return xs;
  }
}
