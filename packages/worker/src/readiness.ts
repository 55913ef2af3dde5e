import { Backoff, sleep, type Clock } from "@lag/async";
import { pingService, StreamMissingError, type Bus } from "@lag/bus";
import type { ServiceDescriptor, StreamDescriptor } from "@lag/contracts";
import type { Logger } from "@lag/log";

/** Retries waiting for something another process provides: 250 ms, doubling, at most 5 s apart. */
const WAIT_BACKOFF = { initialMs: 250, maxMs: 5_000, jitter: 0.2 } as const;
/** While still waiting, a reminder this often. */
const REMIND_EVERY_MS = 30_000;

/** The process was asked to stop while it waited. */
export class StartAbortedError extends Error {
  override readonly name = "StartAbortedError";
}

/**
 * Tries `check` until it says ready, with back-off. Logs once when the wait starts (with the
 * reason), a reminder every 30 s, and once when it is over — never a line per attempt.
 * `check` returns undefined when ready, or the reason it is not; anything it throws is a real error.
 */
export async function waitUntilReady(
  what: string,
  check: () => Promise<string | undefined>,
  o: { log: Logger; signal: AbortSignal; clock: Clock },
): Promise<void> {
  const backoff = new Backoff(WAIT_BACKOFF);
  const started = o.clock.now().getTime();
  let lastReminder = started;
  for (;;) {
    if (o.signal.aborted) throw new StartAbortedError(`stopped while waiting for ${what}`);
    const reason = await check();
    if (reason === undefined) {
      if (backoff.attempts > 0) o.log.info({ waited: what, waitedMs: o.clock.now().getTime() - started }, `${what} is ready`);
      return;
    }
    const delay = backoff.failed();
    const now = o.clock.now().getTime();
    if (backoff.attempts === 1) {
      o.log.info({ waitingFor: what, reason }, `waiting for ${what}: ${reason}; retrying with back-off`);
    } else if (now - lastReminder >= REMIND_EVERY_MS) {
      lastReminder = now;
      o.log.warn(
        { waitingFor: what, reason, waitedMs: now - started },
        `still waiting for ${what} after ${Math.round((now - started) / 1000)} s: ${reason}`,
      );
    }
    await sleep(delay, o.signal, o.clock);
  }
}

/** Ready when the streams exist (those this principal owns are created or put back first). */
export function streamsReady(bus: Bus, streams: readonly StreamDescriptor[]) {
  return async (): Promise<string | undefined> => {
    try {
      await bus.ensureStreams(streams);
      return undefined;
    } catch (err) {
      if (err instanceof StreamMissingError) return err.message;
      throw err;
    }
  };
}

/** Ready when an instance of the service answers `$SRV.PING`. */
export function serviceReady(bus: Bus, service: ServiceDescriptor) {
  return async (): Promise<string | undefined> =>
    (await pingService(bus.nc, service.name)) ? undefined : `no instance of ${service.name} answers (served by ${service.server})`;
}
