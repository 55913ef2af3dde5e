import { agentConfig } from "@lag/worker";
import { BackupConfig } from "./workers/backup/config.ts";
import { IncidentsConfig } from "./workers/incidents/config.ts";
import { MailConfig } from "./workers/mail/config.ts";
import { MaintenanceConfig } from "./workers/maintenance/config.ts";
import { MonitorConfig } from "./workers/monitor/config.ts";
import { StorageConfig } from "./workers/storage/config.ts";
import { SubscriptionsConfig } from "./workers/subscriptions/config.ts";

/**
 * IT_LAG's section of the configuration file: one sub-section per worker, each schema in its
 * worker's folder. Every IT process validates all of it, so a typo anywhere under `it:` is reported.
 */
export const itConfig = agentConfig(
  "it",
  {
    monitor: MonitorConfig,
    incidents: IncidentsConfig,
    backup: BackupConfig,
    mail: MailConfig,
    subscriptions: SubscriptionsConfig,
    storage: StorageConfig,
    maintenance: MaintenanceConfig,
  },
  // The incident, backup, mail, subscription, storage and maintenance workers act on the host this machine's monitor watches, unless told otherwise.
  (it) => ({
    ...it,
    incidents: { ...it.incidents, host: it.incidents.host ?? it.monitor.host },
    backup: { ...it.backup, host: it.backup.host ?? it.monitor.host },
    mail: { ...it.mail, host: it.mail.host ?? it.monitor.host },
    subscriptions: { ...it.subscriptions, host: it.subscriptions.host ?? it.monitor.host },
    storage: { ...it.storage, host: it.storage.host ?? it.monitor.host },
    maintenance: { ...it.maintenance, host: it.maintenance.host ?? it.monitor.host },
  }),
);
