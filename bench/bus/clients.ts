import { connect, type NatsConnection } from "@nats-io/transport-node";
import { Bus } from "@lag/bus";
import type { Principal } from "@lag/contracts";
import { memoryLogger, startTestNats, type MemoryLogger, type TestNats } from "@lag/testing";
import { SOURCE } from "./payload.ts";

/**
 * A fresh nats-server for one benchmark section, with the typed and the raw clients connected to
 * it. Publisher and receiver always use separate connections, as separate processes would; both
 * live in this one process, so both paths share the same CPU and event loop.
 */
export interface Clients {
  nats: TestNats;
  /** What the bus logged: a slow consumer or a dead letter during a run shows here. */
  log: MemoryLogger;
  typed(principal: Principal): Promise<Bus>;
  raw(name: string): Promise<NatsConnection>;
  serverVersion(): string;
  close(): Promise<void>;
}

export async function openClients(): Promise<Clients> {
  const nats = await startTestNats();
  const log = memoryLogger("bench");
  const buses: Bus[] = [];
  const raws: NatsConnection[] = [];
  return {
    nats,
    log,
    async typed(principal) {
      const bus = await Bus.connect({
        principal,
        name: `bench-${principal}`,
        nats: { servers: [nats.url] },
        failFast: true,
        logger: log.logger,
        source: SOURCE,
      });
      buses.push(bus);
      return bus;
    },
    async raw(name) {
      const nc = await connect({ servers: nats.url, name: `bench-raw-${name}` });
      raws.push(nc);
      return nc;
    },
    serverVersion() {
      return (buses[0]?.nc ?? raws[0])?.info?.version ?? "unknown";
    },
    async close() {
      await Promise.allSettled([...buses.map((b) => b.close()), ...raws.map((nc) => nc.close())]);
      await nats.stop();
    },
  };
}

/** Lines the bus logged at warn or above since `from`: none are expected in a clean run. */
export function busWarnings(log: MemoryLogger, from: number): string[] {
  return log.lines
    .slice(from)
    .filter((l) => l.level === "warn" || l.level === "error" || l.level === "fatal")
    .map((l) => `${l.level}: ${l.msg}`);
}
