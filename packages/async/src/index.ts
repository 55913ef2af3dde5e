export type { BackoffOptions } from "./backoff.ts";
export { Backoff, backoffDelay } from "./backoff.ts";
export type { Clock } from "./clock.ts";
export { sleep, systemClock } from "./clock.ts";
export { ConcurrencyLimit, mapLimit } from "./concurrency.ts";
export type { DeadlineOptions } from "./deadline.ts";
export { DeadlineError, withDeadline } from "./deadline.ts";
export type { Schedule, ScheduledTask, TaskLog } from "./scheduler.ts";
export { compileCron, ScheduleError, Scheduler } from "./scheduler.ts";
