export type { Envelope as EnvelopeType } from "./envelope.ts";
export { DeadLetter, DeadLetterCode, Envelope, Headers } from "./envelope.ts";
export type {
  ConsumerDescriptor,
  EndpointDescriptor,
  EventDescriptor,
  InferEvent,
  InferReply,
  InferRequest,
  Millis,
  ServiceDescriptor,
  StreamDescriptor,
} from "./descriptors.ts";
export { defineConsumer, defineEvent, defineService, defineStream, endpoint } from "./descriptors.ts";
export type { TokensOf, TokenValues } from "./subject.ts";
export {
  filterSubject,
  filtersOverlap,
  isSubjectPattern,
  isValidToken,
  parseSubject,
  renderSubject,
  SubjectError,
  subjectMatches,
  templateTokens,
  toToken,
} from "./subject.ts";
export { deployedPrincipals, inboxPrefixOf, Principal, PRINCIPALS, principalNames } from "./principals.ts";
export { describeIssues, pathOf } from "./issues.ts";
export { DLQ_PREFIX, dlqFilter, dlqStreamOf, dlqStreams, dlqSubject, isDlqStream, itStream, parseDlqSubject } from "./streams.ts";
export { allEndpoints, catalog, endpointForSubject, eventForSubject, eventForType, streamSubjects } from "./catalog.ts";
export { Bytes, HostName, IsoTime, Percent, Severity, severityRank, Slug } from "./it/common.ts";
export { Filesystem, HostMetrics, hostMetrics, NetworkInterface } from "./it/host.ts";
export { StorageQuery, StorageReport, storageService, Volume } from "./it/storage.ts";
export { Alert, alert, AlertStatus } from "./it/alerts.ts";
export { Health, StatusReport, statusReport } from "./it/status-report.ts";
export { ceoItInbox } from "./ceo/consumers.ts";
export { Container, ContainerHealth, ContainersSnapshot, ContainerState, containerMetrics } from "./it/containers.ts";
export { CheckKind, CheckResult, checkResult } from "./it/checks.ts";
export {
  HistoryQuery,
  HistoryReply,
  MonitorStatus,
  monitorService,
  SeriesKey,
  SeriesQuery,
  SeriesReply,
} from "./it/monitor-service.ts";
export { Greeting, greeting, GreetingCount, helloService } from "./example/hello.ts";
