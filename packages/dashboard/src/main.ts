import { runWorker } from "@lag/worker";
import { dashboardWorker } from "./worker.ts";

await runWorker(dashboardWorker);
