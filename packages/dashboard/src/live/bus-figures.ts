import { discoverServices, type Bus } from "@lag/bus";
import { isDlqStream } from "@lag/contracts";
import type { Logger } from "@lag/log";

export interface BusFigures {
  at: number;
  /** Running instances of each service, by the principal that serves it. */
  services: { service: string; server: string; instances: number }[];
  /** Each stream's message count now and its last sequence (everything ever stored in it). */
  streams: { stream: string; messages: number; lastSeq: number; deadLetters: boolean }[];
}

/**
 * What the bus itself says, for the metrics: the running services (NATS micro discovery) and the
 * streams' figures (JetStream stream info). Read every `everyMs`, never on a scrape, so a scraper
 * cannot load NATS; what cannot be read is logged once and left out.
 */
export class BusFiguresReader {
  private last: BusFigures = { at: 0, services: [], streams: [] };
  private failing = false;

  constructor(private readonly o: { bus: Bus; log: Logger }) {}

  get current(): BusFigures {
    return this.last;
  }

  async read(): Promise<void> {
    try {
      const [running, jsm] = await Promise.all([discoverServices(this.o.bus.nc, { waitMs: 500 }), this.o.bus.jsm()]);
      const byName = new Map<string, { service: string; server: string; instances: number }>();
      for (const s of running) {
        const held = byName.get(s.name) ?? { service: s.name, server: s.metadata.server ?? "?", instances: 0 };
        held.instances++;
        byName.set(s.name, held);
      }
      const streams: BusFigures["streams"] = [];
      for await (const info of jsm.streams.list())
        streams.push({
          stream: info.config.name,
          messages: info.state.messages,
          lastSeq: info.state.last_seq,
          deadLetters: isDlqStream(info.config.name),
        });
      this.last = { at: Date.now(), services: [...byName.values()], streams };
      if (this.failing) this.o.log.info("bus figures readable again");
      this.failing = false;
    } catch (err) {
      if (!this.failing) this.o.log.warn({ err: (err as Error).message }, "bus figures cannot be read; the metrics leave them out");
      this.failing = true;
    }
  }
}
