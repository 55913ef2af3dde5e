import { Svcm, type ServiceInfo, type ServiceStats } from "@nats-io/services";
import { NoRespondersError, RequestError, TimeoutError, type NatsConnection } from "@nats-io/nats-core";
import { catalog } from "@lag/contracts";

/**
 * The NATS micro discovery protocol (`$SRV.PING|INFO|STATS[.<name>]`, what `nats micro ls` does),
 * read by `lag services`, `lag status`, the status page — and by workers waiting for a service they
 * depend on.
 */

/** One running instance of a service, as `lag services --json` prints it. */
export interface RunningService {
  name: string;
  version: string;
  id: string;
  description: string;
  started?: string;
  metadata: Record<string, string>;
  /** Whether the contracts declare a service of this name (and at which version). */
  contract: { known: boolean; version?: string };
  endpoints: RunningEndpoint[];
}

export interface RunningEndpoint {
  name: string;
  subject: string;
  queueGroup?: string;
  requests?: number;
  errors?: number;
  /** Mean handler time in milliseconds, from the service's own STATS. */
  averageMs?: number;
  lastError?: string;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** "No responders" means no service is running (or none of that name): an empty answer, not a failure. */
async function ask<T>(q: () => Promise<AsyncIterable<T>>): Promise<T[]> {
  try {
    return await collect(await q());
  } catch (err) {
    if (err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders())) return [];
    throw err;
  }
}

const NANOS_PER_MS = 1_000_000;

/**
 * Asks every service for INFO and STATS over the NATS micro protocol (`$SRV.INFO`, `$SRV.STATS`),
 * as `nats micro ls/info/stats` does, and joins the answers by instance id. Replies are gathered
 * until none has come for a moment, or `waitMs` at most.
 */
export async function discoverServices(nc: NatsConnection, opts: { name?: string; waitMs: number }): Promise<RunningService[]> {
  const client = new Svcm(nc).client({ strategy: "stall", maxWait: opts.waitMs });
  const [infos, stats] = await Promise.all([ask(() => client.info(opts.name)), ask(() => client.stats(opts.name))]);
  const statsById = new Map<string, ServiceStats>(stats.map((s) => [s.id, s]));
  return infos.map((info) => merge(info, statsById.get(info.id))).sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

function merge(info: ServiceInfo, stats: ServiceStats | undefined): RunningService {
  const declared = catalog.services.find((s) => s.name === info.name);
  return {
    name: info.name,
    version: info.version,
    id: info.id,
    description: info.description,
    ...(stats?.started ? { started: stats.started } : {}),
    metadata: info.metadata ?? {},
    contract: declared ? { known: true, version: declared.version } : { known: false },
    endpoints: info.endpoints.map((e) => {
      const s = stats?.endpoints?.find((x) => x.name === e.name);
      return {
        name: e.name,
        subject: e.subject,
        ...(e.queue_group ? { queueGroup: e.queue_group } : {}),
        ...(s
          ? {
              requests: s.num_requests,
              errors: s.num_errors,
              averageMs: Math.round((s.average_processing_time / NANOS_PER_MS) * 1000) / 1000,
              ...(s.last_error ? { lastError: s.last_error } : {}),
            }
          : {}),
      };
    }),
  };
}

/**
 * True when at least one instance of the service answers `$SRV.PING.<name>`; false when none does
 * (no responders, or no answer within `timeoutMs`).
 */
export async function pingService(nc: NatsConnection, name: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    await nc.request(`$SRV.PING.${name}`, "", { timeout: timeoutMs });
    return true;
  } catch (err) {
    if (err instanceof NoRespondersError || err instanceof TimeoutError) return false;
    if (err instanceof RequestError && (err.isNoResponders() || err.cause instanceof TimeoutError)) return false;
    throw err;
  }
}
