/** Base class for typed errors shared by the server and the CLI. */
export class AnodeError extends Error {
  override name = 'AnodeError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
