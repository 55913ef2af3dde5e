export type { TestNats, TestNatsOptions } from "./nats.ts";
export { startTestNats } from "./nats.ts";
export type { LogLine, MemoryLogger } from "./logger.ts";
export { memoryLogger } from "./logger.ts";
export { eventually } from "./wait.ts";
export { dockerCli, ensureBusyboxImage, removeContainers, requireDocker, runContainer, testContainerPrefix } from "./docker.ts";
export type { DockerCliResult } from "./docker.ts";
export type { TestCertificate } from "./certificates.ts";
export { makeCertificate } from "./certificates.ts";
