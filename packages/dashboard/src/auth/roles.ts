import type { Role } from "../config.ts";

/** What each role may do: viewers read; approvers also decide approvals; admins also act on incidents and silences. */
export type Permission = "read" | "decide-approvals" | "annotate-incidents" | "act-on-incidents" | "manage-silences" | "manage-sessions";

const GRANTS: Record<Role, readonly Permission[]> = {
  viewer: ["read"],
  approver: ["read", "decide-approvals", "annotate-incidents"],
  admin: ["read", "decide-approvals", "annotate-incidents", "act-on-incidents", "manage-silences", "manage-sessions"],
};

export function can(role: Role, p: Permission): boolean {
  return GRANTS[role].includes(p);
}
