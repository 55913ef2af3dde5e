export type { NatsServerOptions, NatsServerProcess } from "./nats-server.ts";
export { freePort, natsServerBinary, repoRoot, startNatsServer, waitForNats } from "./nats-server.ts";
