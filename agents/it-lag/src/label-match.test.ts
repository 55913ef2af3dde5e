import { describe, expect, it } from "vitest";
import { compileMatch, globToRegExp } from "./label-match.ts";

describe("match", () => {
  it("matches everything when empty", () => {
    expect(compileMatch(undefined)({ mount: "/" })).toBe(true);
    expect(compileMatch({})({})).toBe(true);
  });

  it("requires every label to match, literally or with * globs", () => {
    const m = compileMatch({ role: "storage", mount: "/mnt/*" });
    expect(m({ role: "storage", mount: "/mnt/storage" })).toBe(true);
    expect(m({ role: "backup", mount: "/mnt/storage" })).toBe(false);
    expect(m({ role: "storage", mount: "/srv/storage" })).toBe(false);
    expect(m({ mount: "/mnt/storage" })).toBe(false);
  });

  it("treats regex characters in values literally", () => {
    expect(globToRegExp("a.b").test("axb")).toBe(false);
    expect(globToRegExp("a.b").test("a.b")).toBe(true);
    expect(globToRegExp("(x)+[y]").test("(x)+[y]")).toBe(true);
    expect(globToRegExp("*-db").test("immich-db")).toBe(true);
    expect(globToRegExp("*-db").test("immich-db-1")).toBe(false);
  });

  it("negates with a leading !, keeping series that lack the label", () => {
    const m = compileMatch({ container: "!*-migrate" });
    expect(m({ container: "immich-server" })).toBe(true);
    expect(m({ container: "immich-migrate" })).toBe(false);
    expect(compileMatch({ role: "!backup" })({ mount: "/" })).toBe(true);
  });
});
