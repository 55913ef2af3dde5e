export type { Envelope as EnvelopeType } from "./envelope.ts";
export { DeadLetter, DeadLetterCode, Envelope, Headers } from "./envelope.ts";
export type {
  ConsumerDescriptor,
  EndpointDescriptor,
  EventDescriptor,
  InferEvent,
  InferReply,
  InferRequest,
  InferParsedRequest,
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
export {
  approvalsStream,
  backupsStream,
  DLQ_PREFIX,
  dlqFilter,
  dlqStreamOf,
  dlqStreams,
  dlqSubject,
  incidentsStream,
  isDlqStream,
  itStream,
  mailStream,
  parseDlqSubject,
  maintenanceStream,
  mediaStream,
  storageStream,
  subscriptionsStream,
} from "./streams.ts";
export { allEndpoints, catalog, endpointForSubject, eventForSubject, eventForType, streamSubjects } from "./catalog.ts";
export {
  Bytes,
  compactTime,
  formatBytes,
  isoWeek,
  HostName,
  IsoTime,
  Percent,
  Severity,
  severityRank,
  Slug,
  storageTrend,
} from "./it/common.ts";
export { DiskHealth, DynDnsStatus, Filesystem, HostMetrics, hostMetrics, JobStatus, NetworkInterface, RaidArray } from "./it/host.ts";
export {
  Alternative,
  LibraryUsage,
  Reservation,
  ReservationChange,
  ReservationId,
  ReserveReply,
  ReserveRequest,
  reservationsService,
  SpaceLevel,
  StorageQuery,
  StorageReport,
  storageReservation,
  StorageReservationEvent,
  storageService,
  storageSpace,
  StorageSpaceEvent,
  Volume,
} from "./it/storage.ts";
export { Alert, alert, alertEvents, AlertStatus, backupAlert, maintenanceAlert, subscriptionAlert } from "./it/alerts.ts";
export {
  CleanedPath,
  DatabaseFigures,
  ImageCheck,
  imageUpdate,
  LoginSource,
  PendingPackage,
  ImageUpdateEvent,
  MaintenanceResult,
  maintenanceDecisions,
  maintenanceResult,
  maintenanceService,
  maintenanceSummary,
  MaintenanceTask,
} from "./it/maintenance.ts";
export {
  ImportId,
  ImportState,
  MediaImport,
  mediaBackupResults,
  mediaImportChanged,
  MediaImportEvent,
  mediaService,
  mediaSpaceWarnings,
} from "./media/imports.ts";
export {
  DateSource,
  Renewal,
  RenewalMode,
  SourceChoice,
  Subscription,
  SubscriptionChange,
  subscriptionChanged,
  SubscriptionEvent,
  SubscriptionInput,
  SubscriptionKind,
  subscriptionsDecisions,
  subscriptionsMailInbox,
  subscriptionsService,
} from "./it/subscriptions.ts";
export {
  BackupEvent,
  backupEvent,
  BackupProgress,
  backupProgress,
  backupService,
  PlanStatus,
  RunId,
  SnapshotInfo,
} from "./it/backups.ts";
export { Health, StatusReport, statusReport } from "./it/status-report.ts";
export {
  MailIn,
  mailIn,
  type MailInKind,
  mailApprovalsInbox,
  mailIncidentsInbox,
  MailOut,
  mailOut,
  MailPurpose,
  mailService,
  OutgoingMail,
} from "./it/mail.ts";
export { ceoItInbox } from "./ceo/consumers.ts";
export { Container, ContainerHealth, ContainersSnapshot, ContainerState, containerMetrics } from "./it/containers.ts";
export { CheckKind, CheckResult, checkResult, PiholeStats } from "./it/checks.ts";
export {
  HistoryQuery,
  HistoryReply,
  MonitorStatus,
  monitorService,
  SeriesKey,
  SeriesQuery,
  SeriesReply,
  CheckUptime,
  UPTIME_WINDOWS,
  UptimeDay,
  UptimeQuery,
  UptimeReply,
  UptimeWindow,
  type UptimeWindowName,
} from "./it/monitor-service.ts";
export { Greeting, greeting, GreetingCount, helloService } from "./example/hello.ts";
export type { ActionKind, ApprovalDecision as ApprovalDecisionType } from "./ceo/approvals.ts";
export {
  ACTION_KINDS,
  Action,
  ApprovalDecision,
  approvalAsked,
  approvalDecided,
  ApprovalRecord,
  ApprovalRequest,
  approvalRequestOf,
  approvalRequests,
  approvalsService,
  ApprovalState,
  backupDecisions,
  BudgetLine,
  ceoApprovalsInbox,
  Channel,
  Currency,
  Decider,
  Evidence,
  incidentsDecisions,
  Money,
  Risk,
} from "./ceo/approvals.ts";
export { ceoIncidentsInbox, reportsService, WeeklyRollup } from "./ceo/reports.ts";
export {
  Actor,
  DailyReport,
  dailyReport,
  Incident,
  IncidentAlert,
  IncidentChange,
  incidentChanged,
  IncidentId,
  incidentsAlertsInbox,
  incidentsService,
  IncidentState,
  IncidentSummary,
  LikelyCause,
  Measures,
  Notification,
  notification,
  ReportSection,
  Silence,
  silenceChanged,
  TimelineEntry,
  TimelineKind,
} from "./it/incidents.ts";
