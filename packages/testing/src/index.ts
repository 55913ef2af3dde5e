export type { TestNats, TestNatsOptions } from "./nats.ts";
export { startTestNats } from "./nats.ts";
export type { LogLine, MemoryLogger } from "./logger.ts";
export { memoryLogger } from "./logger.ts";
export { eventually } from "./wait.ts";
export { ManualClock } from "./clock.ts";
export {
  dockerCli,
  ensureBusyboxImage,
  removeContainers,
  requireDocker,
  runContainer,
  runHealthCheckedContainer,
  testContainerPrefix,
} from "./docker.ts";
export type { DockerCliResult } from "./docker.ts";
export type { TestCertificate } from "./certificates.ts";
export { makeCertificate } from "./certificates.ts";
export type { TestCluster } from "./cluster.ts";
export { startTestCluster } from "./cluster.ts";
export type { TestRestServer } from "./rest-server.ts";
export { startRestServer } from "./rest-server.ts";
export type { TestMailServer } from "./mail-server.ts";
export { startMailServer } from "./mail-server.ts";
export type { TestRdapServer } from "./rdap-server.ts";
export { startRdapServer } from "./rdap-server.ts";
export type { TestRegistry } from "./registry.ts";
export { startRegistry } from "./registry.ts";
export type { TestSshServer } from "./ssh-server.ts";
export { startSshServer } from "./ssh-server.ts";
