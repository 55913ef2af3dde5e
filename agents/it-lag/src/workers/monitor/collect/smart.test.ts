import { describe, expect, it } from "vitest";
import { parseSmartctl } from "./smart.ts";

const attr = (id: number, raw: number) => ({
  id,
  name: `attr${id}`,
  value: 100,
  worst: 100,
  thresh: 10,
  raw: { value: raw, string: String(raw) },
});

describe("parseSmartctl", () => {
  it("an ATA disk: verdict, sectors, the low byte of a packed temperature, power-on hours", () => {
    const text = JSON.stringify({
      smartctl: { exit_status: 0 },
      device: { name: "/dev/sda" },
      model_name: "ST4000VN008",
      serial_number: "ZDH1",
      smart_status: { passed: true },
      ata_smart_attributes: {
        table: [attr(5, 16), attr(9, 12_000), attr(194, 36 + 48 * 2 ** 16 + 20 * 2 ** 32), attr(197, 2), attr(198, 1)],
      },
    });
    expect(parseSmartctl(text, "/dev/sda")).toEqual({
      device: "/dev/sda",
      model: "ST4000VN008",
      serial: "ZDH1",
      passed: true,
      reallocatedSectors: 16,
      pendingSectors: 2,
      uncorrectableSectors: 1,
      temperatureC: 36,
      powerOnHours: 12_000,
    });
  });

  it("a failing disk (exit status bit 3) is still read: its verdict is the point", () => {
    const d = parseSmartctl(
      JSON.stringify({ smartctl: { exit_status: 8 }, smart_status: { passed: false }, temperature: { current: 40 } }),
      "/dev/sdb",
    );
    expect(d).toEqual({ device: "/dev/sdb", passed: false, temperatureC: 40 });
  });

  it("NVMe: media errors and temperature from the health log", () => {
    const d = parseSmartctl(
      JSON.stringify({
        smart_status: { passed: true },
        nvme_smart_health_information_log: { temperature: 45, media_errors: 3, power_on_hours: 900 },
      }),
      "/dev/nvme0",
    );
    expect(d).toEqual({ device: "/dev/nvme0", passed: true, mediaErrors: 3, temperatureC: 45, powerOnHours: 900 });
  });

  it("a device smartctl cannot open, and output that is not JSON, are errors naming why", () => {
    const open = parseSmartctl(
      JSON.stringify({
        smartctl: { exit_status: 2, messages: [{ string: "Smartctl open device: /dev/sdz failed: No such device", severity: "error" }] },
      }),
      "/dev/sdz",
    );
    expect(open).toEqual({ device: "/dev/sdz", error: "Smartctl open device: /dev/sdz failed: No such device" });
    expect(parseSmartctl("sudo: a password is required\n", "/dev/sda").error).toBe(
      "smartctl did not print JSON: sudo: a password is required",
    );
    expect(parseSmartctl("", "/dev/sda").error).toBe("smartctl printed nothing");
  });
});
