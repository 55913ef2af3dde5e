export type { ConfigSection } from "./config.ts";
export { agentConfig, singleSection, TOP_LEVEL_SECTIONS } from "./config.ts";
export type {
  Binding,
  ConsumerBinding,
  ScheduleBinding,
  ServiceBinding,
  SubscriptionBinding,
  WorkerContext,
  WorkerDeclaration,
} from "./declaration.ts";
export { consume, defineWorker, schedule, serve, subscribe } from "./declaration.ts";
export { StartAbortedError } from "./readiness.ts";
export type { OutboxOptions } from "./outbox.ts";
export { Outbox, OutboxItem, outboxFile } from "./outbox.ts";
export type { RunningWorker, StartOptions } from "./worker.ts";
export { StoreOpener, type StoreOpenerOptions } from "./store-opener.ts";
export { EXIT_CONFIG, runWorker, startWorker, StoreUnavailableError } from "./worker.ts";
