/** A check that took longer than its `timeout`; the message is what the operator reads. */
export class CheckTimeoutError extends Error {
  override readonly name = "CheckTimeoutError";
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
  }
}

/**
 * Runs `work` with a hard deadline. On expiry the signal is aborted (with the CheckTimeoutError as
 * reason) so the work closes its socket or kills its process — a check that hangs must not leave a
 * half-open connection behind every interval — and the returned promise rejects at once, whether
 * or not the work listens.
 */
export async function withDeadline<T>(timeoutMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new CheckTimeoutError(timeoutMs);
      abort.abort(err);
      reject(err);
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(abort.signal), expired]);
  } finally {
    clearTimeout(timer);
  }
}
