import { formatBytes } from "@lag/contracts";

export interface ProgressFigures {
  percent: number;
  filesDone?: number | undefined;
  totalFiles?: number | undefined;
  bytesDone?: number | undefined;
  totalBytes?: number | undefined;
  secondsRemaining?: number | undefined;
}

function eta(s: number): string {
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, "0")}s`;
  return `${Math.round(s)}s`;
}

/** `[#########-----------]  45.0%  20000/48210 files  175.0 GiB/412.0 GiB  ETA 2m20s` */
export function progressBar(label: string, p: ProgressFigures, width = 24): string {
  const pct = Math.max(0, Math.min(100, p.percent));
  const full = Math.round((pct / 100) * width);
  const parts = [`${label} [${"#".repeat(full)}${"-".repeat(width - full)}] ${pct.toFixed(1).padStart(5)}%`];
  if (p.filesDone !== undefined) parts.push(`${p.filesDone}${p.totalFiles !== undefined ? `/${p.totalFiles}` : ""} files`);
  if (p.bytesDone !== undefined)
    parts.push(`${formatBytes(p.bytesDone)}${p.totalBytes !== undefined ? `/${formatBytes(p.totalBytes)}` : ""}`);
  if (p.secondsRemaining !== undefined && pct < 100) parts.push(`ETA ${eta(p.secondsRemaining)}`);
  return parts.join("  ");
}
