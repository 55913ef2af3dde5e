import { uptime } from "node:os";
import { pct, type HostReader, type HostReadings } from "./readings.ts";

export type SystemInformation = typeof import("systeminformation");

/**
 * Host readings through systeminformation: what the monitor uses where /proc is not there (macOS,
 * the BSDs, Windows). On Linux it costs about 40 short-lived processes per sample (`sh -c "cat …"`
 * for CPU steal, every interface's counters and the temperatures), which is why Linux reads /proc
 * and /sys directly (proc.ts; figures in bench/README.md).
 */
export function systeminformationReader(): HostReader {
  // Loaded on first use: the library is large, and a Linux monitor never needs it.
  let lib: Promise<SystemInformation> | undefined;
  return {
    name: "systeminformation",
    async read(): Promise<HostReadings> {
      // A CommonJS module: its functions are the default export (named ones only if Node's lexer finds them).
      lib ??= import("systeminformation").then((m) => (m as { default?: SystemInformation }).default ?? m);
      const si = await lib;
      const [load, mem, net, temp] = await Promise.all([
        si.currentLoad(),
        si.mem(),
        si.networkStats("*"),
        si.cpuTemperature().catch(() => undefined),
      ]);
      const temperatures: HostReadings["temperatures"] = [];
      if (temp && typeof temp.main === "number" && temp.main > 0) temperatures.push({ sensor: "cpu", celsius: temp.main });
      (temp?.cores ?? []).forEach((c, i) => {
        if (typeof c === "number" && c > 0) temperatures.push({ sensor: `core${i}`, celsius: c });
      });
      return {
        // Not si.time(): on Linux and macOS it runs `date` twice and `ls` (synchronously, about 15 ms
        // with the event loop blocked) to return os.uptime() beside a time zone nobody reads.
        uptimeSec: uptime(),
        cpu: { usagePct: pct(load.currentLoad), cores: load.cpus.map((c) => pct(c.load)) },
        memory: {
          totalBytes: mem.total,
          usedBytes: mem.total - mem.available,
          availableBytes: mem.available,
          usedPct: pct(((mem.total - mem.available) / mem.total) * 100),
          swapTotalBytes: mem.swaptotal,
          swapUsedBytes: mem.swapused,
        },
        temperatures,
        network: net
          .filter((n) => n.iface !== "lo")
          .map((n) => ({
            iface: n.iface,
            rxBytesPerSec: Math.max(0, n.rx_sec ?? 0),
            txBytesPerSec: Math.max(0, n.tx_sec ?? 0),
            rxBytes: n.rx_bytes,
            txBytes: n.tx_bytes,
          })),
      };
    },
  };
}
