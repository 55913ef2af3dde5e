import { afterEach, describe, expect, it } from "vitest";
import { PingCheck } from "./check-config.ts";
import { published, realNow } from "./results.fixture.ts";
import { judgePing, run } from "./ping.ts";

describe("ping check (system ping binary)", () => {
  const path = process.env["PATH"];
  afterEach(() => {
    process.env["PATH"] = path;
  });

  it("gets replies from 127.0.0.1 with their average round-trip time", async () => {
    const t0 = performance.now();
    const r = published(await run(PingCheck.parse({ name: "loopback", kind: "ping", host: "127.0.0.1", count: 2 }), realNow));
    const elapsed = performance.now() - t0;
    expect(r).toMatchObject({ kind: "ping", target: "127.0.0.1", ok: true });
    const [, avg, max] = /^2\/2 replies, avg ([\d.]+) ms, max ([\d.]+) ms$/.exec(r.detail ?? "") ?? [];
    expect(avg, r.detail).toBeDefined();
    // The average round trip, in milliseconds: what the detail says, within the time ping ran.
    expect(r.latencyMs).toBeCloseTo(Number(avg), 1);
    expect(Number(avg)).toBeLessThanOrEqual(Number(max));
    expect(r.latencyMs).toBeGreaterThan(0);
    expect(r.latencyMs).toBeLessThan(elapsed);
  });

  it("reports a host that does not resolve, in ping's words", async () => {
    const r = published(
      await run(PingCheck.parse({ name: "ghost", kind: "ping", host: "ghost.invalid", count: 1, timeout: 2000 }), realNow),
    );
    expect(r.ok).toBe(false);
    expect(r.detail).toMatch(/ghost\.invalid|name resolution|exited/i);
  });

  it("says how to install ping when it is missing", async () => {
    process.env["PATH"] = "/nonexistent";
    const r = published(await run(PingCheck.parse({ name: "loopback", kind: "ping", host: "127.0.0.1" }), realNow));
    expect(r).toMatchObject({ ok: false, detail: "ping is not installed (Debian: apt-get install iputils-ping)" });
  });
});

// iputils' summary lines as it prints them under LC_ALL=C, for losses a loopback cannot produce.
describe("reading ping's summary", () => {
  it("counts a host that answers some requests as up, noting the loss", () => {
    const stdout =
      "--- 10.0.0.1 ping statistics ---\n3 packets transmitted, 2 received, 33.3333% packet loss, time 402ms\nrtt min/avg/max/mdev = 0.041/0.045/0.049/0.004 ms\n";
    expect(judgePing({ code: 1, stdout, stderr: "" }, 5000)).toEqual({
      ok: true,
      latencyMs: 0.045,
      detail: "2/3 replies, avg 0.045 ms, max 0.049 ms, 1 of 3 lost",
    });
  });

  it("counts a host that answers nothing as down", () => {
    const stdout = "--- 192.0.2.1 ping statistics ---\n3 packets transmitted, 0 received, +3 errors, 100% packet loss, time 2040ms\n";
    expect(judgePing({ code: 1, stdout, stderr: "" }, 5000)).toEqual({ ok: false, detail: "no reply to 3 echo requests within 5000 ms" });
  });

  it("says when ping was killed before printing a summary", () => {
    expect(judgePing({ code: null, stdout: "PING x (10.0.0.1) 56(84) bytes of data.\n", stderr: "" }, 2000)).toEqual({
      ok: false,
      detail: "ping exited with a signal after 2000 ms",
    });
  });
});
