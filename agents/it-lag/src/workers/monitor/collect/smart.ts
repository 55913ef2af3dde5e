import type { DiskHealth } from "@lag/contracts";

interface SmartAttribute {
  id?: number;
  name?: string;
  raw?: { value?: number; string?: string };
}

interface SmartctlJson {
  smartctl?: { exit_status?: number; messages?: { string?: string; severity?: string }[] };
  device?: { name?: string };
  model_name?: string;
  serial_number?: string;
  smart_status?: { passed?: boolean };
  ata_smart_attributes?: { table?: SmartAttribute[] };
  nvme_smart_health_information_log?: { temperature?: number; media_errors?: number; power_on_hours?: number };
  temperature?: { current?: number };
  power_on_time?: { hours?: number };
}

/** smartctl's exit status bits 0–1: the command line or the device could not be used, so nothing was read. */
const UNREADABLE = 0b11;

/**
 * One disk from `smartctl -A -H --json DEVICE` (smartmontools 7+): the overall verdict, the ATA
 * attributes that foretell a failure (5 reallocated, 197 pending, 198 uncorrectable), NVMe's media
 * errors, temperature and power-on hours. smartctl's exit status is a bit mask and is non-zero for
 * a failing disk too, so its JSON is read whatever the status; only bits 0–1 mean nothing was read.
 */
export function parseSmartctl(text: string, device: string): DiskHealth {
  let j: SmartctlJson;
  try {
    j = JSON.parse(text) as SmartctlJson;
  } catch {
    const first = text.trim().split("\n")[0] ?? "";
    return { device, error: first ? `smartctl did not print JSON: ${first.slice(0, 200)}` : "smartctl printed nothing" };
  }
  const exit = j.smartctl?.exit_status ?? 0;
  const disk: DiskHealth = { device: j.device?.name ?? device };
  if (j.model_name) disk.model = j.model_name;
  if (j.serial_number) disk.serial = j.serial_number;
  if ((exit & UNREADABLE) !== 0) {
    const why = (j.smartctl?.messages ?? []).map((m) => m.string).filter(Boolean);
    disk.error = why.length > 0 ? why.join("; ") : `smartctl exit status ${exit}`;
    return disk;
  }
  if (typeof j.smart_status?.passed === "boolean") disk.passed = j.smart_status.passed;
  const attrs = new Map((j.ata_smart_attributes?.table ?? []).map((a) => [a.id, a]));
  const raw = (id: number) => {
    const v = attrs.get(id)?.raw?.value;
    return typeof v === "number" && v >= 0 ? v : undefined;
  };
  const set = <K extends keyof DiskHealth>(k: K, v: DiskHealth[K] | undefined) => {
    if (v !== undefined) disk[k] = v;
  };
  set("reallocatedSectors", raw(5));
  set("pendingSectors", raw(197));
  set("uncorrectableSectors", raw(198));
  const nvme = j.nvme_smart_health_information_log;
  set("mediaErrors", nvme?.media_errors);
  // Attribute 194's raw value packs min/max into its upper bytes on many drives: the low byte is the reading.
  const ataTemp = raw(194) ?? raw(190);
  set("temperatureC", j.temperature?.current ?? nvme?.temperature ?? (ataTemp !== undefined ? ataTemp % 256 : undefined));
  set("powerOnHours", j.power_on_time?.hours ?? nvme?.power_on_hours ?? raw(9));
  return disk;
}
