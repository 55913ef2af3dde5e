import { runWorker } from "@lag/worker";
import { mediaWorker } from "./worker.ts";

await runWorker(mediaWorker);
