/** A SQLite store cannot be opened, migrated or checked; the message names the file and what to do. */
export class StoreError extends Error {
  readonly code = "LAG_STORE";
  readonly file: string;

  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreError";
    this.file = file;
  }
}
