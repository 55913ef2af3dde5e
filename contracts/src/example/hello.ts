import { z } from "zod";
import { defineEvent, defineService, endpoint } from "../descriptors.ts";
import { IsoTime, Slug } from "../it/common.ts";

/**
 * The contracts of the example worker (examples/hello, docs/adding-a-worker.md): one event it
 * publishes on a schedule and one service it answers. A new worker's contracts look like these.
 */
export const Greeting = z.object({
  /** Who is greeted: a subject token. */
  name: Slug,
  text: z.string().min(1),
  /** How many greetings this worker has sent, this one included. */
  count: z.number().int().positive(),
  time: IsoTime,
});
export type Greeting = z.infer<typeof Greeting>;

export const greeting = defineEvent({
  type: "es.lagrieta.example.greeting.v1",
  subject: "lag.example.greeting.{name}",
  schema: Greeting,
  publisher: "example-hello",
  audience: "all",
  tokens: (d) => ({ name: d.name }),
  description: "The example worker's scheduled greeting (examples/hello); not part of a deployment.",
  example: { name: "kronos", text: "good morning, kronos", count: 1, time: "2026-12-01T06:00:00.000Z" },
});

export const GreetingCount = z.object({
  greetings: z.number().int().nonnegative(),
  last: IsoTime.optional(),
});

export const helloService = defineService({
  name: "example-hello",
  version: "0.1.0",
  description: "The example worker's service (examples/hello): how many greetings it has sent",
  server: "example-hello",
  callers: "all",
  endpoints: {
    count: endpoint({
      subject: "lag.example.hello.count",
      request: z.strictObject({}),
      reply: GreetingCount,
      description: "How many greetings the example worker has sent, and when the last one went.",
      example: { request: {}, reply: { greetings: 3, last: "2026-12-01T06:00:00.000Z" } },
    }),
  },
});
