import { headers as natsHeaders, NoRespondersError, RequestError, TimeoutError, type NatsConnection } from "@nats-io/nats-core";
import { describeIssues, Headers, renderSubject, type EndpointDescriptor, type InferReply, type InferRequest } from "@lag/contracts";
import { compiled } from "./codec.ts";
import { ContractError, ServiceError } from "./errors.ts";

export interface RequestOptions {
  timeout?: number;
  /** Values for `{tokens}` in the endpoint subject. */
  tokens?: Record<string, string>;
  correlationid?: string;
  causationid?: string;
}

/**
 * Calls a service endpoint: the request is validated before it leaves, the reply when it comes
 * back. A service error (`Nats-Service-Error` headers), no responder or a timeout become a
 * ServiceError with a status a caller can branch on (503 no responder, 504 timeout).
 */
export async function requestEndpoint<E extends EndpointDescriptor>(
  nc: NatsConnection,
  source: string,
  ep: E,
  data: InferRequest<E>,
  opts: RequestOptions = {},
): Promise<InferReply<E>> {
  const subject = renderSubject(ep.subject, opts.tokens ?? {});
  const req = compiled(ep.request).safeParse(data);
  if (!req.success) throw new ContractError(subject, describeIssues(req.error, "request"));
  const h = natsHeaders();
  h.set(Headers.ceSource, source);
  if (opts.correlationid) h.set(Headers.ceCorrelation, opts.correlationid);
  if (opts.causationid) h.set(Headers.ceCausation, opts.causationid);
  const timeout = opts.timeout ?? ep.timeoutMs ?? 5_000;
  let msg;
  try {
    msg = await nc.request(subject, JSON.stringify(req.data), { timeout, headers: h });
  } catch (err) {
    if (err instanceof NoRespondersError || (err instanceof RequestError && err.isNoResponders())) {
      throw new ServiceError(503, `no ${ep.service} service answers (is ${ep.server} running?)`, subject);
    }
    if (err instanceof TimeoutError || (err instanceof RequestError && err.cause instanceof TimeoutError)) {
      throw new ServiceError(504, `${ep.service} did not answer within ${timeout} ms`, subject);
    }
    throw err;
  }
  const code = msg.headers?.get(Headers.serviceErrorCode);
  if (code) {
    throw new ServiceError(Number(code), msg.headers?.get(Headers.serviceError) ?? "service error", subject);
  }
  let body: unknown;
  try {
    body = msg.json();
  } catch {
    throw new ServiceError(502, "reply is not JSON", subject);
  }
  const reply = compiled(ep.reply).safeParse(body);
  if (!reply.success) throw new ContractError(`${subject} (reply)`, describeIssues(reply.error, "reply"));
  return reply.data as InferReply<E>;
}
