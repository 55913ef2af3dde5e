export { CeoConfig, ceoConfig } from "./workers/ceo/config.ts";
export { ceoWorker } from "./workers/ceo/worker.ts";
