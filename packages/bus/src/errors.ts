/** Typed errors of the bus; each has a stable code and a message a user can act on. */
export class BusError extends Error {
  override readonly name: string = "BusError";
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Data that does not match its contract. `issues` names every bad field. */
export class ContractError extends BusError {
  override readonly name = "ContractError";
  constructor(
    readonly subject: string,
    readonly issues: string[],
  ) {
    super("LAG_CONTRACT", `${subject}: data does not match its contract: ${issues.join("; ")}`);
  }
}

/** The server is older than the oldest version we support. */
export class UnsupportedServerError extends BusError {
  override readonly name = "UnsupportedServerError";
  constructor(version: string, minimum: string, server: string) {
    super(
      "LAG_NATS_VERSION",
      `nats-server ${version} at ${server} is older than the supported ${minimum}: ` +
        `install nats-server ${minimum} or newer (\`npm start\` fetches one into .tools/bin)`,
    );
  }
}

/**
 * A service answered with an error (`Nats-Service-Error` headers), or could not be reached.
 * Handlers throw it with a code to answer that code; callers catch it.
 */
export class ServiceError extends BusError {
  override readonly name = "ServiceError";
  constructor(
    readonly status: number,
    readonly description: string,
    readonly subject?: string,
  ) {
    super("LAG_SERVICE", subject ? `${subject}: ${status} ${description}` : `${status} ${description}`);
  }
}

/**
 * Thrown by a consumer's handler for a message that will never be acceptable (valid by its
 * contract, wrong by its meaning): it is dead-lettered at once with the reason, not retried.
 */
export class RejectedMessage extends BusError {
  override readonly name = "RejectedMessage";
  constructor(readonly reason: string) {
    super("LAG_REJECTED", reason);
  }
}
