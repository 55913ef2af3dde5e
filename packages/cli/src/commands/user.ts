import { copyFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { isMap, isSeq, parseDocument, YAMLSeq } from "yaml";
import { configFile } from "@lag/config";
import { hashPassword } from "@lag/dashboard";
import { booleanOption, onePositional, stringOption } from "../args.ts";
import type { Command } from "../command.ts";
import { UsageError } from "../errors.ts";
import { callerDirectory } from "../settings.ts";

const ROLES = ["viewer", "approver", "admin"] as const;
const SAMPLE = fileURLToPath(new URL("../../../../config/lag.sample.yaml", import.meta.url));

/** The first line of standard input. */
async function firstLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return "";
}

/** Asks on the terminal without echoing what is typed. */
function hidden(question: string): Promise<string> {
  return new Promise((resolveAnswer) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput.bind(rl);
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.startsWith(question)) write(s);
    };
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write("\n");
      resolveAnswer(answer);
    });
  });
}

export const userAdd: Command = {
  name: "user add",
  summary: "add (or change) a user of the status page: an argon2id hash of the password into dashboard.users",
  usage: "NAME --role viewer|approver|admin",
  details: [
    "Writes into the configuration file in use (--config, else $LAG_CONFIG, else ./lag.yaml — made from the sample",
    "when missing), keeping its comments; restart the dashboard process to use it. The password is asked twice on",
    "the terminal, or read from the first line of standard input with --password-stdin; it is never written down.",
  ],
  options: {
    role: { type: "string", value: "ROLE", description: ROLES.join(", ") },
    "password-stdin": { type: "boolean", description: "read the password from standard input (first line)" },
    print: { type: "boolean", description: "print the entry instead of writing it into the file" },
  },
  connects: false,
  examples: ["lag user add ana --role admin", "printf '%s\\n' \"$PW\" | lag user add vic --role viewer --password-stdin"],
  async run({ args, out }) {
    const name = onePositional("user add", args, "user name");
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) throw new UsageError("user add: the name is lower-case letters, digits, . _ and -");
    const role = stringOption(args, "role");
    if (!ROLES.includes(role as (typeof ROLES)[number])) throw new UsageError(`user add: --role must be one of ${ROLES.join(", ")}`);
    let password: string;
    if (booleanOption(args, "password-stdin")) password = await firstLine();
    else if (process.stdin.isTTY) {
      password = await hidden(`password for ${name}: `);
      if ((await hidden("again: ")) !== password) throw new UsageError("user add: the two passwords differ");
    } else throw new UsageError("user add: no terminal to ask the password on: give it with --password-stdin");
    if (password.length < 10) throw new UsageError("user add: a password of at least 10 characters");
    const hash = await hashPassword(password);
    const entry = { name, role: role as string, password: hash };
    if (booleanOption(args, "print")) {
      out.line(`dashboard:\n  users:\n    - { name: ${name}, role: ${role}, password: "${hash}" }`);
      return 0;
    }
    const here = callerDirectory();
    const given = stringOption(args, "config");
    const file = given ? resolve(here, given) : (configFile(undefined, process.env, here) ?? resolve(here, "lag.yaml"));
    if (!existsSync(file)) {
      copyFileSync(SAMPLE, file);
      out.note(`${file} did not exist: made it from the sample configuration`);
    }
    const doc = parseDocument(readFileSync(file, "utf8"));
    if (doc.errors.length > 0) throw new UsageError(`user add: ${file} is not valid YAML: ${doc.errors[0]!.message}`);
    if (!isMap(doc.get("dashboard"))) doc.set("dashboard", doc.createNode({}));
    const users = doc.getIn(["dashboard", "users"]);
    if (!isSeq(users)) doc.setIn(["dashboard", "users"], new YAMLSeq());
    const seq = doc.getIn(["dashboard", "users"]) as YAMLSeq;
    const at = seq.items.findIndex((u) => isMap(u) && u.get("name") === name);
    const node = doc.createNode(entry);
    node.flow = true;
    if (at >= 0) seq.items[at] = node;
    else seq.items.push(node);
    writeFileSync(file, doc.toString({ lineWidth: 0 }));
    out.line(`${at >= 0 ? "changed" : "added"} ${name} (${role}) in ${file}; restart the dashboard to use it`);
    return 0;
  },
};
