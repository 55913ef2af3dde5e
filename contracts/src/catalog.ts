import type { ConsumerDescriptor, EndpointDescriptor, EventDescriptor, ServiceDescriptor, StreamDescriptor } from "./descriptors.ts";
import type { Principal } from "./principals.ts";
import {
  approvalAsked,
  approvalDecided,
  approvalRequests,
  approvalsService,
  backupDecisions,
  ceoApprovalsInbox,
  incidentsDecisions,
} from "./ceo/approvals.ts";
import { ceoItInbox } from "./ceo/consumers.ts";
import { ceoIncidentsInbox, reportsService } from "./ceo/reports.ts";
import { greeting, helloService } from "./example/hello.ts";
import { alert, backupAlert, maintenanceAlert, subscriptionAlert } from "./it/alerts.ts";
import { backupEvent, backupProgress, backupService } from "./it/backups.ts";
import { checkResult } from "./it/checks.ts";
import { dailyReport, incidentChanged, incidentsAlertsInbox, incidentsService, notification, silenceChanged } from "./it/incidents.ts";
import { containerMetrics } from "./it/containers.ts";
import { monitorService } from "./it/monitor-service.ts";
import { hostMetrics } from "./it/host.ts";
import { mailApprovalsInbox, mailIn, mailIncidentsInbox, mailOut, mailService } from "./it/mail.ts";
import { statusReport } from "./it/status-report.ts";
import { subscriptionChanged, subscriptionsDecisions, subscriptionsMailInbox, subscriptionsService } from "./it/subscriptions.ts";
import { reservationsService, storageReservation, storageService, storageSpace } from "./it/storage.ts";
import { imageUpdate, maintenanceDecisions, maintenanceResult, maintenanceService } from "./it/maintenance.ts";
import { mediaBackupResults, mediaImportChanged, mediaService, mediaSpaceWarnings } from "./media/imports.ts";
import {
  approvalsStream,
  backupsStream,
  dlqStreams,
  incidentsStream,
  itStream,
  mailStream,
  maintenanceStream,
  mediaStream,
  storageStream,
  subscriptionsStream,
} from "./streams.ts";
import { filterSubject, parseSubject } from "./subject.ts";

/** Everything that travels on the bus. Adding a message means adding it here. */
export const catalog = {
  streams: [
    itStream,
    incidentsStream,
    backupsStream,
    mailStream,
    subscriptionsStream,
    storageStream,
    maintenanceStream,
    mediaStream,
    approvalsStream,
    ...dlqStreams,
  ] as readonly StreamDescriptor[],
  events: [
    hostMetrics,
    containerMetrics,
    checkResult,
    alert,
    backupAlert,
    subscriptionAlert,
    maintenanceAlert,
    statusReport,
    incidentChanged,
    notification,
    silenceChanged,
    dailyReport,
    ...Object.values(approvalRequests),
    approvalAsked,
    approvalDecided,
    backupEvent,
    backupProgress,
    mailOut,
    mailIn,
    subscriptionChanged,
    storageReservation,
    storageSpace,
    maintenanceResult,
    imageUpdate,
    mediaImportChanged,
    greeting,
  ] as readonly EventDescriptor[],
  services: [
    storageService,
    reservationsService,
    monitorService,
    incidentsService,
    approvalsService,
    reportsService,
    backupService,
    mailService,
    subscriptionsService,
    maintenanceService,
    mediaService,
    helloService,
  ] as readonly ServiceDescriptor[],
  consumers: [
    ceoItInbox,
    ceoIncidentsInbox,
    ceoApprovalsInbox,
    incidentsAlertsInbox,
    incidentsDecisions,
    backupDecisions,
    mailIncidentsInbox,
    mailApprovalsInbox,
    subscriptionsMailInbox,
    subscriptionsDecisions,
    maintenanceDecisions,
    mediaSpaceWarnings,
    mediaBackupResults,
  ] as readonly ConsumerDescriptor[],
};

export function allEndpoints(): EndpointDescriptor[] {
  return catalog.services.flatMap((s) => Object.values(s.endpoints));
}

/** The subjects a stream captures: the filters of the events kept in it. */
export function streamSubjects(stream: StreamDescriptor): string[] {
  if (stream.subjects) return [...stream.subjects];
  return catalog.events.filter((e) => e.stream?.name === stream.name).map((e) => filterSubject(e.subject));
}

export function eventForSubject(subject: string): EventDescriptor | undefined {
  return catalog.events.find((e) => parseSubject(e.subject, subject) !== undefined);
}

export function endpointForSubject(subject: string): EndpointDescriptor | undefined {
  return allEndpoints().find((e) => parseSubject(e.subject, subject) !== undefined);
}

export function eventForType(type: string, publisher?: Principal): EventDescriptor | undefined {
  // Several requesters of one agent share an event type (approval requests): the publisher tells them apart.
  return catalog.events.find((e) => e.type === type && (publisher === undefined || e.publisher === publisher));
}
