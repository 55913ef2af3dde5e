/** The configuration cannot be used; `problems` has one line per bad key, every one of them. */
export class ConfigError extends Error {
  readonly code = "LAG_CONFIG";
  readonly problems: string[];
  readonly file?: string;

  constructor(problems: string[], file?: string) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`invalid configuration${file ? ` (${file})` : ""}, ${count}:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.name = "ConfigError";
    this.problems = problems;
    if (file !== undefined) this.file = file;
  }
}

/** What a process prints on stderr before exiting: every problem, then how to go on. */
export function formatConfigError(err: ConfigError): string {
  const count = err.problems.length === 1 ? "1 problem" : `${err.problems.length} problems`;
  const source = err.file ? `configuration file ${err.file}` : "configuration (no file: defaults and environment only)";
  return [
    `${source} has ${count}:`,
    ...err.problems.map((p) => `  - ${p}`),
    "Fix each line above, in the file or in the environment variable it names (env NAME), then start again.",
    "Environment overrides: LAG__SECTION__KEY=value (e.g. LAG__IT__MONITOR__INTERVAL=5s); secrets: LAG__NATS__PASSWORD_FILE=/path.",
  ].join("\n");
}
