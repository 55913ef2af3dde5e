export interface BackoffOptions {
  /** Delay after the first failure. */
  initialMs: number;
  /** The delay never grows past this. */
  maxMs: number;
  /** Growth per failure; 2 doubles. */
  factor?: number;
  /** ± this share of the delay, at random, so that many clients do not retry in step; 0 for none. */
  jitter?: number;
  random?: () => number;
}

/**
 * The delay before retry number `failures` (1 after the first failure): initial × factor^(n−1),
 * capped, with jitter. 0 failures means no wait.
 */
export function backoffDelay(failures: number, o: BackoffOptions): number {
  if (failures <= 0) return 0;
  const factor = o.factor ?? 2;
  let base = o.initialMs;
  for (let i = 1; i < failures && base < o.maxMs; i++) base *= factor;
  base = Math.min(o.maxMs, base);
  const jitter = o.jitter ?? 0.2;
  if (jitter === 0) return Math.round(base);
  const r = (o.random ?? Math.random)();
  return Math.max(0, Math.round(base * (1 - jitter + 2 * jitter * r)));
}

/**
 * Counts failures and says how long to wait before the next try; `succeeded()` starts over. The
 * count moves only on failures, never on mere questions (`peek`), so a caller asked again and again
 * while it waits does not inflate its own delay.
 */
export class Backoff {
  private failures = 0;

  constructor(private readonly options: BackoffOptions) {}

  /** Records a failure; returns the wait before the next attempt. */
  failed(): number {
    this.failures++;
    return backoffDelay(this.failures, this.options);
  }

  /** The wait the current failure count calls for, without counting anything. */
  peek(): number {
    return backoffDelay(this.failures, this.options);
  }

  succeeded(): void {
    this.failures = 0;
  }

  get attempts(): number {
    return this.failures;
  }
}
