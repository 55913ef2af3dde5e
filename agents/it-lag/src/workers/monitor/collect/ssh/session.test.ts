import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fingerprint, pinnedFingerprint } from "./session.ts";

describe("host key pins", () => {
  it("a fingerprint and a whole public key line pin the same key, as ssh-keygen -l names it", () => {
    const dir = mkdtempSync(join(tmpdir(), "lag-key-"));
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "k")]);
    const line = readFileSync(join(dir, "k.pub"), "utf8").trim();
    const keygen = execFileSync("ssh-keygen", ["-l", "-f", join(dir, "k.pub")], { encoding: "utf8" }).split(" ")[1];
    expect(fingerprint(Buffer.from(line.split(" ")[1]!, "base64"))).toBe(keygen);
    expect(pinnedFingerprint(line)).toBe(keygen);
    expect(pinnedFingerprint(`  ${keygen}  `)).toBe(keygen);
  });

  it("a pin that is neither is refused, naming it", () => {
    expect(() => pinnedFingerprint("not-a-key")).toThrow('host key "not-a-key" is neither SHA256:… nor "type base64-key"');
  });
});
