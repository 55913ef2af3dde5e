import { visibleLength } from "./style.ts";

/**
 * Aligns rows under a header, two spaces between columns. The last column is not padded, so a
 * long free-text column (a reason, a description) can go last and be cut by the terminal width.
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[], bold: (s: string) => string = (s) => s): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => visibleLength(r[i] ?? ""))));
  const render = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c + " ".repeat(widths[i]! - visibleLength(c))))
      .join("  ")
      .trimEnd();
  return [bold(render(header)), ...rows.map(render)];
}
