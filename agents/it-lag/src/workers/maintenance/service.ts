import type { ServiceHandlers } from "@lag/bus";
import { MaintenanceTask, type maintenanceService } from "@lag/contracts";
import type { MaintenanceBook } from "./book.ts";
import type { MaintenanceConfig } from "./config.ts";
import type { DockerLogs } from "./docker-logs.ts";
import type { MaintenanceTasks } from "./tasks.ts";

/** Each task's section of `it.maintenance`. */
export const TASK_SECTION = {
  "image-updates": "images",
  "log-cleanup": "logs",
  "docker-logs": "dockerLogs",
  sqlite: "sqlite",
  "os-updates": "os",
  "failed-logins": "logins",
} as const satisfies Record<MaintenanceTask, keyof MaintenanceConfig>;

/** `every 6h`, `cron 30 4 * * * (Europe/Madrid)`. */
export function describeSchedule(s: MaintenanceConfig["images"]["run"]["schedule"]): string {
  if ("cron" in s) return `cron ${s.cron} (${s.timezone})`;
  const h = s.every / 3_600_000;
  return Number.isInteger(h) ? `every ${h}h` : `every ${Math.round(s.every / 60_000)}m`;
}

export function maintenanceHandlers(o: {
  cfg: MaintenanceConfig;
  host: string;
  book: MaintenanceBook;
  tasks: MaintenanceTasks;
  dockerLogs: DockerLogs;
}): ServiceHandlers<typeof maintenanceService> {
  return {
    status: () => ({
      host: o.host,
      tasks: MaintenanceTask.options.map((task) => {
        const { run } = o.cfg[TASK_SECTION[task]];
        const last = o.book.lastResult(task);
        return { task, enabled: run.enabled, schedule: describeSchedule(run.schedule), ...(last ? { lastRun: last } : {}) };
      }),
    }),
    run: ({ task }) => o.tasks.run(task),
    truncate: ({ container }) => o.dockerLogs.requestTruncation(container),
  };
}
