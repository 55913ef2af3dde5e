import { and, eq } from "drizzle-orm";
import type { BetterSQLite3Database } from "drizzle-orm/better-sqlite3";
import { cursors, processed } from "../store/schema.ts";

type Db = BetterSQLite3Database<Record<string, unknown>>;

/**
 * What has been read of each mailbox: the UIDVALIDITY and last UID (where the next scan starts),
 * and every mail read, by UID and by Message-ID. A UIDVALIDITY that changes (the mailbox rebuilt)
 * starts the mailbox over, and the Message-IDs keep what was read from being read again.
 */
export class ReadBook {
  constructor(private readonly db: Db) {}

  cursor(mailbox: string): { uidValidity: string; lastUid: number } | undefined {
    return this.db.select().from(cursors).where(eq(cursors.mailbox, mailbox)).get();
  }

  /** Starts a mailbox over under a new UIDVALIDITY. */
  reset(mailbox: string, uidValidity: string): void {
    this.db
      .insert(cursors)
      .values({ mailbox, uidValidity, lastUid: 0 })
      .onConflictDoUpdate({ target: cursors.mailbox, set: { uidValidity, lastUid: 0 } })
      .run();
  }

  /** Whether a mail with this Message-ID was read already (in any mailbox, under any UIDVALIDITY). */
  knows(messageId: string): boolean {
    return this.db.select({ uid: processed.uid }).from(processed).where(eq(processed.messageId, messageId)).limit(1).get() !== undefined;
  }

  /** The mail is done: recorded, and the mailbox's cursor moved past it, together. */
  done(mailbox: string, uidValidity: string, uid: number, messageId: string, kind: string, now: number): void {
    this.db.transaction((tx) => {
      tx.insert(processed).values({ mailbox, uidValidity, uid, messageId, kind, at: now }).onConflictDoNothing().run();
      tx.update(cursors)
        .set({ lastUid: uid })
        .where(and(eq(cursors.mailbox, mailbox), eq(cursors.uidValidity, uidValidity)))
        .run();
    });
  }
}
