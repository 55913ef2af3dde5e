import type { SubjectGroup, UserPermissions } from "./permissions.ts";

const q = (s: string) => JSON.stringify(s);

function allowList(groups: readonly SubjectGroup[], indent: string): string {
  const lines: string[] = [];
  for (const g of groups) {
    lines.push(`${indent}  # ${g.why}`);
    for (const s of g.subjects) lines.push(`${indent}  ${q(s)}`);
  }
  return `[\n${lines.join("\n")}\n${indent}]`;
}

function renderUser(u: UserPermissions): string {
  const i = "      ";
  return [
    `    # ${u.user}: ${u.description}`,
    "    {",
    `      user: ${q(u.user)}`,
    // Unquoted, so nats-server fills it from the environment (and refuses to start without it).
    `      password: $${u.passwordEnv}`,
    "      permissions: {",
    u.publishDeny.length > 0
      ? `        publish: {\n          allow: ${allowList(u.publish, `${i}    `)}\n          deny: ${allowList(u.publishDeny, `${i}    `)}\n        }`
      : `        publish: { allow: ${allowList(u.publish, `${i}  `)} }`,
    `        subscribe: { allow: ${allowList(u.subscribe, `${i}  `)} }`,
    ...(u.allowResponses > 0
      ? [
          "        # answers requests on the caller's reply subject; one $SRV discovery request gets an",
          "        # answer from each service the connection serves, so one reply is not enough",
          `        allow_responses: { max: ${u.allowResponses} }`,
        ]
      : []),
    "      }",
    "    }",
  ].join("\n");
}

/**
 * The `authorization` block: one user per principal. An allow list denies everything it does not
 * name, and no `no_auth_user` is set, so a connection without credentials is refused.
 */
export function renderAuthorization(users: readonly UserPermissions[]): string {
  return ["authorization {", "  users: [", users.map(renderUser).join("\n"), "  ]", "}", ""].join("\n");
}
