export type { Command, CommandContext } from "./command.ts";
export { commands } from "./registry.ts";
export { EXIT } from "./errors.ts";
export type { MessageKind, MessageRecord, RawMessage } from "./inspect.ts";
export { Inspector } from "./inspect.ts";
export { runCli } from "./run.ts";
export { summarize } from "./summary.ts";
