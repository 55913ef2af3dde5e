/** Work that did not finish within its deadline. `message` is what an operator reads. */
export class DeadlineError extends Error {
  override readonly name = "DeadlineError";
  readonly code = "LAG_DEADLINE";
  constructor(
    readonly timeoutMs: number,
    message = `timed out after ${timeoutMs} ms`,
  ) {
    super(message);
  }
}

export interface DeadlineOptions {
  /** The error to reject with on expiry (a message naming what timed out); a DeadlineError by default. */
  error?: () => Error;
  /** An outer signal (the process stopping): aborting it aborts the work and rejects with its reason. */
  signal?: AbortSignal;
}

/**
 * Runs `work` with a hard deadline. On expiry its signal is aborted (with the error as reason), so the
 * work can close its socket or kill its process — work that hangs must not leave a half-open
 * connection behind every interval — and the returned promise rejects at once, whether or not the
 * work listens. A rejection of the work after that is expected and ignored.
 */
export async function withDeadline<T>(
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T> | T,
  opts: DeadlineOptions = {},
): Promise<T> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let onOuterAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = opts.error?.() ?? new DeadlineError(timeoutMs);
      abort.abort(err);
      reject(err);
    }, timeoutMs);
    const outer = opts.signal;
    if (outer) {
      onOuterAbort = () => {
        abort.abort(outer.reason);
        reject(outer.reason instanceof Error ? outer.reason : new Error("aborted"));
      };
      if (outer.aborted) onOuterAbort();
      else outer.addEventListener("abort", onOuterAbort, { once: true });
    }
  });
  try {
    const running = Promise.resolve().then(() => work(abort.signal));
    running.catch(() => undefined);
    return await Promise.race([running, stopped]);
  } finally {
    clearTimeout(timer);
    if (onOuterAbort) opts.signal?.removeEventListener("abort", onOuterAbort);
  }
}
