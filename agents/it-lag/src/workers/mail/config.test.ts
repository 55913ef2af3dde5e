import { describe, expect, it } from "vitest";
import { MailConfig } from "./config.ts";

const issues = (input: unknown) => {
  const r = MailConfig.safeParse(input);
  expect(r.success).toBe(false);
  return r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("it.mail configuration", () => {
  it("names every bad key at once", () => {
    expect(
      issues({
        to: ["not-an-address"],
        smtp: { host: "mail", port: 70000, security: "ssl" },
        imap: { host: "mail", user: "lag", password: { file: "relative" } },
        classifiers: [{ name: "nas", kind: "backup-report", from: ["nas@x.es"], subject: "(?<job>" }],
        alerts: { severities: ["urgent"] },
        digest: { daily: { cron: "61 7 * * *" } },
      }),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^to\.0: /),
        expect.stringMatching(/^smtp\.port: /),
        expect.stringMatching(/^smtp\.security: /),
        expect.stringMatching(/^imap\.password\.file: an absolute path/),
        expect.stringMatching(/^classifiers\.0\.subject: not a regular expression/),
        expect.stringMatching(/^alerts\.severities\.0: /),
        expect.stringMatching(/^digest\.daily\.cron: /),
      ]),
    );
  });

  it("what only makes sense together: a user without a password, authentication without the server's name, a classifier named twice", () => {
    const k = { name: "nas", kind: "backup-report", from: ["nas@x.es"], subject: "x" };
    expect(
      issues({
        smtp: { host: "mail", user: "lag" },
        imap: { host: "mail", user: "lag", password: { env: "LAG_IMAP" } },
        classifiers: [k, k],
      }),
    ).toEqual([
      "smtp.password: an SMTP user needs a password (file or env)",
      "imap.authservId: name the receiving server (its Authentication-Results authserv-id), or set requireAuthentication: false",
      "classifiers.1.name: classifier nas is named twice",
    ]);
  });

  it("defaults: nothing sent or read until configured; NoIP and GoDaddy understood; approvers are the recipients", () => {
    const c = MailConfig.parse({ to: ["ops@lagrieta.es"] });
    expect(c.smtp).toBeUndefined();
    expect(c.imap).toBeUndefined();
    expect(c.classifiers.map((x) => x.name)).toEqual(["noip", "godaddy"]);
    expect(c.approvals.to).toEqual(["ops@lagrieta.es"]);
    expect(MailConfig.parse({ defaultClassifiers: false }).classifiers).toEqual([]);
  });
});
