import { Svcm, type Service, type ServiceMsg } from "@nats-io/services";
import type { NatsConnection } from "@nats-io/nats-core";
import {
  describeIssues,
  Headers,
  parseSubject,
  renderSubject,
  type EndpointDescriptor,
  type InferReply,
  type InferParsedRequest,
  type ServiceDescriptor,
} from "@lag/contracts";
import type { Logger } from "@lag/log";
import { compiled } from "./codec.ts";
import { ServiceError } from "./errors.ts";
import { principalOfSource } from "./source.ts";

export interface CallContext {
  subject: string;
  /** Tokens of a templated endpoint subject. */
  tokens: Record<string, string>;
  /** The caller's CloudEvents source, when it sent one. */
  caller?: string;
  correlationid?: string;
}

/**
 * The principal a caller named in its CloudEvents source (`/lag/<principal>/<host>`, as every Bus
 * sends it), for audit trails of who asked; undefined when it sent none.
 */
export function callerPrincipal(ctx: CallContext): string | undefined {
  return principalOfSource(ctx.caller);
}

export type EndpointHandler<E> = (request: InferParsedRequest<E>, ctx: CallContext) => Promise<InferReply<E>> | InferReply<E>;
export type ServiceHandlers<S extends ServiceDescriptor> = { [K in keyof S["endpoints"]]: EndpointHandler<S["endpoints"][K]> };

export interface ServeOptions {
  /** Values for `{tokens}` in endpoint subjects (e.g. this monitor's host). */
  tokens?: Record<string, string>;
  metadata?: Record<string, string>;
}

/**
 * Registers a NATS micro service (discoverable with `nats micro ls`, `$SRV.*`). Every instance
 * joins the queue group named after the service, so running more instances spreads the load.
 * Bad requests are answered 400 naming each bad field; a handler's ServiceError keeps its status;
 * anything else is a 500. A reply that breaks its own contract is never sent (500 instead).
 */
export async function serveService<S extends ServiceDescriptor>(
  nc: NatsConnection,
  log: Logger,
  service: S,
  handlers: ServiceHandlers<S>,
  opts: ServeOptions = {},
): Promise<Service> {
  const srv = await new Svcm(nc).add({
    name: service.name,
    version: service.version,
    description: service.description,
    queue: service.name,
    metadata: { server: service.server, ...opts.metadata },
  });
  for (const [name, ep] of Object.entries(service.endpoints) as [string, EndpointDescriptor][]) {
    const handler = handlers[name as keyof typeof handlers] as EndpointHandler<EndpointDescriptor>;
    const subject = renderSubject(ep.subject, opts.tokens ?? {});
    srv.addEndpoint(name, {
      subject,
      queue: service.name,
      metadata: { description: ep.description },
      handler: (err, msg) => {
        if (err) {
          log.error({ err, endpoint: subject }, "service endpoint stopped");
          return;
        }
        void answer(log, ep, handler, msg);
      },
    });
  }
  // The endpoints' subscriptions reach the server before this resolves: a caller told the service is up finds it.
  await nc.flush();
  log.info({ service: service.name, version: service.version }, "service registered");
  return srv;
}

async function answer(log: Logger, ep: EndpointDescriptor, handler: EndpointHandler<EndpointDescriptor>, msg: ServiceMsg) {
  let body: unknown;
  try {
    body = msg.data.length === 0 ? {} : msg.json();
  } catch {
    msg.respondError(400, "request body is not JSON");
    return;
  }
  const req = compiled(ep.request).safeParse(body);
  if (!req.success) {
    msg.respondError(400, `invalid request: ${describeIssues(req.error, "request").join("; ")}`);
    return;
  }
  const ctx: CallContext = {
    subject: msg.subject,
    tokens: parseSubject(ep.subject, msg.subject) ?? {},
    ...(msg.headers?.get(Headers.ceSource) ? { caller: msg.headers.get(Headers.ceSource) } : {}),
    ...(msg.headers?.get(Headers.ceCorrelation) ? { correlationid: msg.headers.get(Headers.ceCorrelation) } : {}),
  };
  try {
    const result = await handler(req.data as never, ctx);
    const reply = compiled(ep.reply).safeParse(result);
    if (!reply.success) {
      log.error({ endpoint: msg.subject, issues: describeIssues(reply.error, "reply") }, "handler reply breaks its contract");
      msg.respondError(500, "internal error: reply does not match its contract");
      return;
    }
    msg.respond(JSON.stringify(reply.data));
  } catch (err) {
    if (err instanceof ServiceError) {
      msg.respondError(err.status, err.description);
      return;
    }
    log.error({ err, endpoint: msg.subject }, "service handler failed");
    msg.respondError(500, `internal error: ${(err as Error).message}`);
  }
}
