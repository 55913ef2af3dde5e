import { describe, expect, it } from "vitest";
import { jobStatus, lastVerdict, noipStatus } from "./log-verdict.ts";

const T = Date.parse("2026-12-01T12:00:00Z") / 1000;

describe("No-IP status", () => {
  it("the last recognised line decides, with its own timestamp and the address", () => {
    const s = noipStatus({
      file: "/var/log/noip.log",
      mtimeSec: T,
      lines: [
        "2026-12-01T10:00:00Z ERROR update failed: nohost",
        "2026-12-01 11:00:00 INFO update successful; current ip: 198.51.100.4",
        "   ",
      ],
    });
    expect(s).toEqual({
      client: "noip",
      file: "/var/log/noip.log",
      ok: true,
      status: "INFO update successful; current ip: 198.51.100.4",
      ip: "198.51.100.4",
      at: "2026-12-01T11:00:00.000Z",
    });
  });

  it("protocol answers: nochg is fine, badauth is not; without a timestamp the file's time is used", () => {
    expect(noipStatus({ file: "f", mtimeSec: T, lines: ["nochg 203.0.113.9"] })).toMatchObject({
      ok: true,
      ip: "203.0.113.9",
      at: "2026-12-01T12:00:00.000Z",
    });
    expect(noipStatus({ file: "f", mtimeSec: T, lines: ["badauth"] })).toMatchObject({ ok: false, status: "badauth" });
  });

  it("a missing file, or one that records no update, is not ok", () => {
    expect(noipStatus({ file: "/x", lines: [] })).toEqual({ client: "noip", file: "/x", ok: false, status: "status file /x is missing" });
    expect(noipStatus({ file: "/x", mtimeSec: T, lines: ["starting"] })).toMatchObject({
      ok: false,
      status: "no update recorded in the status file",
    });
  });
});

describe("job status", () => {
  const spec = {
    name: "nightly",
    file: "/l",
    success: /\b(completed|success)\b/i,
    failure: /\b(errors?|failed)\b/i,
    maxAgeMs: 26 * 3_600_000,
  };

  it("failure wins on a line that says both; overdue past maxAge", () => {
    const now = (T + 27 * 3600) * 1000;
    expect(jobStatus(spec, { file: "/l", mtimeSec: T, lines: ["completed with 3 errors"] }, now)).toEqual({
      name: "nightly",
      file: "/l",
      ok: false,
      line: "completed with 3 errors",
      lastRun: "2026-12-01T12:00:00.000Z",
      overdue: true,
    });
    expect(jobStatus(spec, { file: "/l", mtimeSec: T, lines: ["completed", "rsync: 10 files"] }, T * 1000 + 1)).toMatchObject({
      ok: true,
      overdue: false,
    });
  });

  it("a missing log is overdue with the reason; a log without a verdict has no ok", () => {
    expect(jobStatus(spec, { file: "/l", lines: [] }, 0)).toEqual({ name: "nightly", file: "/l", overdue: true, error: "/l is missing" });
    expect(jobStatus(spec, { file: "/l", mtimeSec: T, lines: ["starting"] }, T * 1000)).not.toHaveProperty("ok");
  });

  it("lastVerdict skips blank and unrelated lines", () => {
    expect(lastVerdict(["success", "", "noise"], /success/, /fail/)).toEqual({ ok: true, line: "success" });
    expect(lastVerdict(["noise"], /success/, /fail/)).toBeUndefined();
  });
});
