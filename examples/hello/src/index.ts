export { exampleConfig, HelloConfig } from "./config.ts";
export { helloWorker } from "./worker.ts";
