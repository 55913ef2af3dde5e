export type { NatsServerOptions, NatsServerProcess } from "./nats-server.ts";
export { freePort, natsServerBinary, repoRoot, startNatsServer, waitForNats } from "./nats-server.ts";
export type { ProcessEntry, ProcessNeed } from "./processes.ts";
export { discoverProcesses, PROCESS_NEEDS } from "./processes.ts";
export type { DeployFile } from "./deploy/index.ts";
export { deployFiles, isGeneratedDropIn } from "./deploy/index.ts";
export { bundleProcess } from "./build.ts";
export { NODE_FLAGS } from "./supervisor.ts";
