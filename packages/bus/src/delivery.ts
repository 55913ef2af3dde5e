import type { EnvelopeType, EventDescriptor, InferEvent } from "@lag/contracts";

/** A validated event handed to a handler. Only messages that passed their contract become one. */
export class Delivery<T = unknown> {
  constructor(
    readonly event: EventDescriptor,
    readonly envelope: EnvelopeType<T>,
    readonly subject: string,
    readonly tokens: Record<string, string>,
    /** 1 on first delivery; JetStream counts redeliveries. */
    readonly deliveryCount: number,
    readonly stream?: { name: string; sequence: number },
  ) {}

  get data(): T {
    return this.envelope.data;
  }

  /** Narrows a delivery from a multi-event consumer: `if (d.is(alert)) d.data.rule`. */
  is<E extends EventDescriptor>(event: E): this is Delivery<InferEvent<E>> {
    return this.event.type === event.type;
  }
}
