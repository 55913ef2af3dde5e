import type { z } from "zod";
import type { Principal } from "./principals.ts";
import type { TokenValues } from "./subject.ts";

/** Durations in contracts are milliseconds. */
export type Millis = number;

export interface StreamDescriptor<N extends string = string> {
  readonly kind: "stream";
  readonly name: N;
  readonly description: string;
  /**
   * The only principal that may create the stream or change its configuration (production
   * permissions are derived from this); everyone else who writes or reads it waits for it to exist.
   */
  readonly owner: Principal;
  /** Subjects are derived from the events that name this stream, unless given (the DLQ). */
  readonly subjects?: readonly string[];
  readonly maxAge: Millis;
  readonly maxBytes?: number;
  /** Window in which a repeated `Nats-Msg-Id` is recognised and stored once. */
  readonly duplicateWindow: Millis;
}

export interface EventDescriptor<S extends string = string, Z extends z.ZodType = z.ZodType> {
  readonly kind: "event";
  /** CloudEvents `type`, reverse-DNS and versioned: `es.lagrieta.it.host.metrics.v1`. */
  readonly type: string;
  readonly subject: S;
  readonly schema: Z;
  readonly publisher: Principal;
  /** Who may read it; "all" for every principal. */
  readonly audience: "all" | readonly Principal[];
  /** Set when the event must not be lost: published to this JetStream stream with de-duplication. */
  readonly stream?: StreamDescriptor;
  /** Subject tokens taken from the data, so subject and payload can never disagree. */
  readonly tokens: (data: z.infer<Z>) => TokenValues<S>;
  readonly description: string;
  readonly example: z.infer<Z>;
}

export interface EndpointDescriptor<Q extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly kind: "endpoint";
  readonly name: string;
  readonly subject: string;
  readonly request: Q;
  readonly reply: R;
  readonly description: string;
  readonly example: { readonly request: z.input<Q>; readonly reply: z.infer<R> };
  /** How long a caller waits for the reply unless it says otherwise; 5 s when not given. */
  readonly timeoutMs?: number;
  /** Filled in by defineService. */
  readonly service: string;
  readonly server: Principal;
  readonly callers: "all" | readonly Principal[];
}

export interface ServiceDescriptor<E extends Record<string, EndpointDescriptor> = Record<string, EndpointDescriptor>> {
  readonly kind: "service";
  /** NATS micro service name, listed by `nats micro ls`. */
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly server: Principal;
  readonly callers: "all" | readonly Principal[];
  readonly endpoints: E;
}

export interface ConsumerDescriptor {
  readonly kind: "consumer";
  readonly durable: string;
  readonly stream: StreamDescriptor;
  readonly principal: Principal;
  readonly events: readonly EventDescriptor[];
  readonly description: string;
  /** Handler attempts before the message is dead-lettered. */
  readonly maxDeliver: number;
  readonly ackWait: Millis;
}

export type InferEvent<E> = E extends EventDescriptor<string, infer Z> ? z.infer<Z> : never;
/** What a caller sends (defaults may be left out). */
export type InferRequest<E> = E extends EndpointDescriptor<infer Q, z.ZodType> ? z.input<Q> : never;
/** What a handler receives: the request parsed, defaults filled in. */
export type InferParsedRequest<E> = E extends EndpointDescriptor<infer Q, z.ZodType> ? z.infer<Q> : never;
export type InferReply<E> = E extends EndpointDescriptor<z.ZodType, infer R> ? z.infer<R> : never;

export function defineStream<N extends string>(d: Omit<StreamDescriptor<N>, "kind">): StreamDescriptor<N> {
  return { kind: "stream", ...d };
}

export function defineEvent<S extends string, Z extends z.ZodType>(d: Omit<EventDescriptor<S, Z>, "kind">): EventDescriptor<S, Z> {
  return { kind: "event", ...d };
}

type EndpointSpec<Q extends z.ZodType, R extends z.ZodType> = Omit<
  EndpointDescriptor<Q, R>,
  "kind" | "name" | "service" | "server" | "callers"
>;

export function endpoint<Q extends z.ZodType, R extends z.ZodType>(d: EndpointSpec<Q, R>): EndpointSpec<Q, R> {
  return d;
}

export function defineService<const E extends Record<string, EndpointSpec<z.ZodType, z.ZodType>>>(
  d: Omit<ServiceDescriptor, "kind" | "endpoints"> & { endpoints: E },
): ServiceDescriptor<{ [K in keyof E]: E[K] extends EndpointSpec<infer Q, infer R> ? EndpointDescriptor<Q, R> : never }> {
  const endpoints = Object.fromEntries(
    Object.entries(d.endpoints).map(([name, e]) => [
      name,
      { kind: "endpoint", name, service: d.name, server: d.server, callers: d.callers, ...e },
    ]),
  );
  return { kind: "service", ...d, endpoints } as never;
}

export function defineConsumer(d: Omit<ConsumerDescriptor, "kind">): ConsumerDescriptor {
  return { kind: "consumer", ...d };
}
