/**
 * ANSI colour, only where a person reads it: on a terminal, unless NO_COLOR is set
 * (https://no-color.org); FORCE_COLOR turns it on for pipes (`lag tail | less -R`).
 */
export interface Style {
  readonly enabled: boolean;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}

export function style(enabled: boolean): Style {
  const sgr = (open: number, close: number) => (s: string) => (enabled ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return {
    enabled,
    red: sgr(31, 39),
    yellow: sgr(33, 39),
    green: sgr(32, 39),
    cyan: sgr(36, 39),
    dim: sgr(2, 22),
    bold: sgr(1, 22),
  };
}

const ANSI = /\x1b\[[0-9;]*m/g;

/** Printed width of a string that may hold colour codes. */
export function visibleLength(s: string): number {
  return s.replace(ANSI, "").length;
}

/** Cuts a (possibly coloured) line to `width` visible characters, ending with "…" when cut. */
export function truncateVisible(s: string, width: number): string {
  if (visibleLength(s) <= width) return s;
  let out = "";
  let seen = 0;
  for (let i = 0; i < s.length; ) {
    const m = /^\x1b\[[0-9;]*m/.exec(s.slice(i));
    if (m) {
      out += m[0];
      i += m[0].length;
      continue;
    }
    if (seen >= width - 1) break;
    out += s[i];
    seen++;
    i++;
  }
  return `${out}…${s.includes("\x1b[") ? "\x1b[0m" : ""}`;
}
