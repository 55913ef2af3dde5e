export { MonitorConfig, MonitorProcessConfig } from "./workers/monitor/config.ts";
export { monitorWorker } from "./workers/monitor/worker.ts";
