import { hash, verify } from "@node-rs/argon2";

/** Algorithm.Argon2id: a const enum of @node-rs/argon2, which cannot be imported as a value here. */
const ARGON2ID = 2;

/** argon2id with OWASP's first recommended setting (19 MiB, 2 passes, 1 lane). */
const OPTIONS = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** Whether the password matches the hash; false (never a throw) for a malformed hash. */
export async function checkPassword(hashed: string, password: string): Promise<boolean> {
  try {
    return await verify(hashed, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the user does not exist, so that an unknown name costs as long as a wrong password. */
export const DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$UdWqtUdF2TZg45v2urDt5A$+yBD5sacKxyvYdr/t0a5q26ZqKIVNkmGQwC+sJJJ7eY";
