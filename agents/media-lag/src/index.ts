export { MediaConfig, mediaConfig } from "./workers/media/config.ts";
export { mediaWorker } from "./workers/media/worker.ts";
