import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import type { Logger } from "@lag/log";
import type { DashboardUser, Role } from "../config.ts";
import { localUsers } from "../store/schema.ts";
import { checkPassword, DUMMY_HASH, hashPassword } from "./passwords.ts";

type Db = BetterSQLite3Database<Record<string, unknown>>;

/**
 * Who may log in: the users of the configuration (`dashboard.users`, argon2id hashes). When it
 * lists none, a first `admin` is made once with a random password, written to
 * `<dataDir>/dashboard-admin-password` (mode 0600) for the operator to read, log in, and replace by
 * a configured user; it stops counting as soon as the configuration lists anyone.
 */
export class Users {
  private constructor(private readonly users: ReadonlyMap<string, { role: Role; password: string }>) {}

  static async load(o: { configured: readonly DashboardUser[]; db: Db; dataDir: string; log: Logger; now: number }): Promise<Users> {
    if (o.configured.length > 0) return new Users(new Map(o.configured.map((u) => [u.name, { role: u.role, password: u.password }])));
    let admin = o.db.select().from(localUsers).where(eq(localUsers.name, "admin")).get();
    const file = join(o.dataDir, "dashboard-admin-password");
    if (!admin) {
      const password = randomBytes(15).toString("base64url");
      const row = { name: "admin", role: "admin", password: await hashPassword(password), createdAt: o.now };
      writeFileSync(file, `${password}\n`, { mode: 0o600 });
      o.db.insert(localUsers).values(row).run();
      admin = row;
      o.log.warn({ file }, "no dashboard.users configured: made the user admin; its password is in the file (lag user add makes your own)");
    } else o.log.info({ file }, "no dashboard.users configured: the first admin logs in with the password in the file");
    return new Users(new Map([["admin", { role: admin.role as Role, password: admin.password }]]));
  }

  /** The user's role when the password is right; undefined otherwise (an unknown name takes as long). */
  async check(name: string, password: string): Promise<Role | undefined> {
    const u = this.users.get(name);
    const ok = await checkPassword(u?.password ?? DUMMY_HASH, password);
    return u && ok ? u.role : undefined;
  }

  roleOf(name: string): Role | undefined {
    return this.users.get(name)?.role;
  }

  get count(): number {
    return this.users.size;
  }
}
