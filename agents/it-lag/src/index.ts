export { itConfig } from "./config.ts";
export { MonitorConfig } from "./workers/monitor/config.ts";
export { monitorWorker } from "./workers/monitor/worker.ts";
export { sampleWithDefaultRules } from "./workers/monitor/rules/defaults.ts";
export { incidentsWorker } from "./workers/incidents/worker.ts";
export { backupWorker } from "./workers/backup/worker.ts";
export { mailWorker } from "./workers/mail/worker.ts";
export { subscriptionsWorker } from "./workers/subscriptions/worker.ts";
