import { runWorker } from "@lag/worker";
import { ceoWorker } from "./worker.ts";

await runWorker(ceoWorker);
