export { dashboardWorker } from "./worker.ts";
export { DashboardConfig } from "./config.ts";
export { checkPassword, hashPassword } from "./auth/passwords.ts";
