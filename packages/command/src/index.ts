export type { CommandOptions, CommandResult } from "./command.ts";
export { CommandError, CommandFailedError, howItEnded, runCommand } from "./command.ts";
export { findProgram, repoRoot } from "./find-program.ts";
