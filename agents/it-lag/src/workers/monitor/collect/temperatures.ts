import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { HostReadings } from "./readings.ts";

type Temperatures = HostReadings["temperatures"];

/** Where the CPU's temperature is read, found once: a file, or the mean of the cores. */
interface Plan {
  main?: string;
  cores: string[];
}

/** A label of the CPU package or die, in systeminformation's order of preference after Intel's. */
const MAIN_LABELS = [/package id/i, /physical id/i, /^tdie$/i, /^tctl$/i, /^tccd1$/i];

/**
 * CPU temperatures from sysfs, as systeminformation finds them but without its shells: hwmon sensors
 * labelled "Package id N" / "Physical id N" (Intel coretemp) or Tdie / Tctl / Tccd1 (AMD k10temp) for
 * the CPU, "Core N" for the cores; without those, the first thermal zone whose type names the CPU
 * (ARM boards, the Raspberry Pi), else thermal_zone0. Which files to read is worked out on the first
 * read, again after a read fails (a driver reloaded) and every minute while none is found, so a
 * sample reads just those files: a hwmon input can be slow (some chips answer over SMBus, an ACPI
 * thermal zone runs firmware code), which is also why these reads are asynchronous.
 * Reports `sensor: "cpu"` and `core0`, `core1`…; nothing on a host without sensors (most VMs).
 */
export function temperatureReader(sysClass = "/sys/class", now: () => number = Date.now): { read(): Promise<Temperatures> } {
  let plan: Promise<Plan> | undefined;
  let foundAt = 0;
  return {
    async read() {
      if (!plan) {
        plan = discover(sysClass);
        foundAt = now();
      }
      const p = await plan;
      // Nothing found: looked for again a minute later (a sensor driver may load after the monitor).
      if (!p.main && p.cores.length === 0 && now() - foundAt >= REDISCOVER_EMPTY_MS) plan = undefined;
      try {
        return await readPlan(p);
      } catch {
        plan = undefined; // re-discovered next time; this sample goes without temperatures
        return [];
      }
    },
  };
}

const REDISCOVER_EMPTY_MS = 60_000;

async function readPlan(p: Plan): Promise<Temperatures> {
  const [main, ...cores] = await Promise.all([p.main ? readCelsius(p.main) : undefined, ...p.cores.map(readCelsius)]);
  const coreValues = cores as number[];
  // systeminformation rounds the mean of the cores to whole degrees when no sensor gives the CPU's.
  const cpu = main ?? (coreValues.length > 0 ? Math.round(coreValues.reduce((a, b) => a + b, 0) / coreValues.length) : undefined);
  const out: Temperatures = [];
  if (cpu !== undefined && cpu > 0) out.push({ sensor: "cpu", celsius: cpu });
  coreValues.forEach((c, i) => {
    if (c > 0) out.push({ sensor: `core${i}`, celsius: c });
  });
  return out;
}

/** sysfs temperatures are millidegrees; one decimal, as systeminformation reports them. */
async function readCelsius(file: string): Promise<number> {
  const v = Number.parseInt(await readFile(file, "latin1"), 10);
  if (Number.isNaN(v)) throw new Error(`${file}: not a temperature`);
  return Math.round(v / 100) / 10;
}

async function discover(sysClass: string): Promise<Plan> {
  const labelled = await hwmonLabels(join(sysClass, "hwmon"));
  const cores = labelled.filter((l) => /^core\s*\d+/i.test(l.label)).map((l) => l.input);
  for (const re of MAIN_LABELS) {
    const hit = labelled.find((l) => re.test(l.label));
    if (hit) return { main: hit.input, cores };
  }
  if (cores.length > 0) return { cores };
  const zone = await cpuThermalZone(join(sysClass, "thermal"));
  return zone ? { main: zone, cores } : { cores };
}

/** Every `tempN_label` of every hwmon device, in device and then sensor order. */
async function hwmonLabels(dir: string): Promise<Array<{ label: string; input: string }>> {
  const devices = (await list(dir)).filter((d) => /^hwmon\d+$/.test(d)).sort(byNumber);
  const perDevice = await Promise.all(
    devices.map(async (d) => {
      const files = (await list(join(dir, d))).filter((f) => /^temp\d+_label$/.test(f)).sort(byNumber);
      const labels = await Promise.all(
        files.map(async (f) => ({
          label: (await readFile(join(dir, d, f), "latin1").catch(() => "")).trim(),
          input: join(dir, d, f.replace("_label", "_input")),
        })),
      );
      return labels.filter((l) => l.label !== "");
    }),
  );
  return perDevice.flat();
}

async function cpuThermalZone(dir: string): Promise<string | undefined> {
  const zones = (await list(dir)).filter((z) => /^thermal_zone\d+$/.test(z)).sort(byNumber);
  for (const z of zones) {
    const type = await readFile(join(dir, z, "type"), "latin1").catch(() => "");
    if (/cpu/i.test(type)) return join(dir, z, "temp");
  }
  return zones.includes("thermal_zone0") ? join(dir, "thermal_zone0", "temp") : undefined;
}

async function list(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch {
    return []; // no hwmon or thermal class: a VM, a container without /sys
  }
}

const byNumber = (a: string, b: string) => Number(/\d+/.exec(a)?.[0]) - Number(/\d+/.exec(b)?.[0]);
