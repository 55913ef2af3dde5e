/** Every Bus's CloudEvents `source`: `/lag/<principal>/<host>`. */
export function sourceOf(principal: string, host: string): string {
  return `/lag/${principal}/${host}`;
}

/** The principal a `source` names; undefined for one not written by a Bus. */
export function principalOfSource(source: string | undefined): string | undefined {
  const [, lag, principal] = source?.split("/") ?? [];
  return lag === "lag" && principal ? principal : undefined;
}
