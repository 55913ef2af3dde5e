export type { BusOptions } from "./bus.ts";
export { Bus } from "./bus.ts";
export type { ConnectOptions, NatsSettings } from "./connect.ts";
export { openConnection, RECONNECT_BACKOFF } from "./connect.ts";
export type { Decoded, Encoded, EventMeta } from "./codec.ts";
export { compiled as compiledSchema, decodeEvent, encodeEvent } from "./codec.ts";
export type { ConsumeHandle } from "./consume.ts";
export { retryDelay } from "./consume.ts";
export { Delivery } from "./delivery.ts";
export type { DeadLetterEntry, DeadLetterInput, DeadLetterList, JetStreamAccess } from "./dead-letters.ts";
export {
  countDeadLetters,
  deadLetterEntry,
  deadLetterOf,
  deadLetterScopes,
  getDeadLetter,
  listDeadLetters,
  parkDeadLetter,
  parseDeadLetterId,
  purgeDeadLetters,
  removeDeadLetter,
} from "./dead-letters.ts";
export type { RunningEndpoint, RunningService } from "./discovery.ts";
export { discoverServices, pingService } from "./discovery.ts";
export { BusError, ContractError, RejectedMessage, ServiceError, UnsupportedServerError } from "./errors.ts";
export type { StreamOptions } from "./jetstream.ts";
export {
  configDrift,
  consumerConfig,
  ensureConsumer,
  ensureStream,
  isNotFound,
  requireStream,
  streamConfig,
  StreamMissingError,
} from "./jetstream.ts";
export type { Published } from "./publish.ts";
export { DEFAULT_PUBLISH_RETRY_MS, PublishUnavailableError, retryableCause } from "./publish.ts";
export type { RequestOptions } from "./request.ts";
export type { CallContext, EndpointHandler, ServeOptions, ServiceHandlers } from "./service.ts";
export { callerPrincipal } from "./service.ts";
export type { Handler, SubscribeOptions } from "./subscribe.ts";
export { compareVersions, MIN_SERVER_VERSION } from "./version.ts";
export type { Chain, ChainEvent } from "./chain.ts";
export { CHAIN_STREAMS, describeEvent, publisherOf, readChain } from "./chain.ts";
