export type { RunningWorker, WorkerContext, WorkerHooks, WorkerSpec } from "./worker.ts";
export { EXIT_CONFIG, runWorker, startWorker } from "./worker.ts";
export type { Repeating } from "./timers.ts";
export { Timers } from "./timers.ts";
export type { Section } from "./sections.ts";
export { otherSections, TOP_LEVEL_SECTIONS } from "./sections.ts";
