import type { Command } from "./command.ts";
import { dlq } from "./commands/dlq.ts";
import { dlqPurge, dlqRm } from "./commands/dlq-clear.ts";
import { dlqShow } from "./commands/dlq-show.ts";
import { backupCheck, backupDrill, backupInit, backupList, backupRestore, backupRun, backupSnapshots } from "./commands/backup.ts";
import { approvals, approvalsApprove, approvalsBudget, approvalsDeny, approvalsShow } from "./commands/approvals.ts";
import { incidentAck, incidentNote, incidentResolve, incidents, incidentShow } from "./commands/incidents.ts";
import { mailDigest, mailQueue, mailTest } from "./commands/mail.ts";
import { userAdd } from "./commands/user.ts";
import { maintenance, maintenanceRun, maintenanceShow, maintenanceTruncate } from "./commands/maintenance.ts";
import { storage, storageRelease, storageReservations, storageReserve } from "./commands/storage.ts";
import { subs, subsAdd, subsBootstrap, subsCheck, subsEdit, subsIcs, subsList, subsRemove, subsRenew, subsShow } from "./commands/subs.ts";
import { reports } from "./commands/reports.ts";
import { silenceAdd, silenceExpire, silenceList } from "./commands/silence.ts";
import { req } from "./commands/req.ts";
import { services } from "./commands/services.ts";
import { status } from "./commands/status.ts";
import { tail } from "./commands/tail.ts";
import { trace } from "./commands/trace.ts";

/** Every command, in the order `lag --help` lists them. */
export const commands: readonly Command[] = [
  status,
  incidents,
  incidentShow,
  incidentAck,
  incidentNote,
  incidentResolve,
  trace,
  silenceAdd,
  silenceList,
  silenceExpire,
  approvals,
  approvalsShow,
  approvalsApprove,
  approvalsDeny,
  approvalsBudget,
  backupList,
  backupSnapshots,
  backupRun,
  backupCheck,
  backupInit,
  backupRestore,
  backupDrill,
  reports,
  mailTest,
  mailDigest,
  mailQueue,
  maintenance,
  maintenanceRun,
  maintenanceShow,
  maintenanceTruncate,
  storage,
  storageReservations,
  storageReserve,
  storageRelease,
  subs,
  subsList,
  subsShow,
  subsAdd,
  subsEdit,
  subsRemove,
  subsRenew,
  subsCheck,
  subsBootstrap,
  subsIcs,
  userAdd,
  tail,
  req,
  services,
  dlq,
  dlqShow,
  dlqRm,
  dlqPurge,
];

/** The command named by the first word(s) of argv, and the arguments after it. */
export function findCommand(argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  const [a, b] = argv;
  const two = commands.find((c) => c.name === `${a} ${b}`);
  if (two) return { command: two, rest: argv.slice(2) };
  const one = commands.find((c) => c.name === a);
  return one ? { command: one, rest: argv.slice(1) } : undefined;
}
