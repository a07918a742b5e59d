/**
 * The shape every lower layer's error shares: a stable `code` from the layer's own union,
 * a message that is safe to show a client, and the extra detail elements the planes may
 * echo (in order). The planes (s3/, admin/) map these to their wire errors at their edge;
 * lower layers never know about HTTP statuses or XML.
 */

/** Extra details beside code and message, in the order a client should see them. */
export type ErrorDetails = Readonly<Record<string, string | number>>;

export interface CodedErrorOptions {
  /** Overrides the layer's default message for the code. Never put a secret here. */
  message?: string;
  extra?: ErrorDetails;
  cause?: unknown;
}

export abstract class CodedError<Code extends string> extends Error {
  readonly code: Code;
  readonly extra: ErrorDetails;

  protected constructor(code: Code, defaultMessage: string, options: CodedErrorOptions) {
    super(options.message ?? defaultMessage, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.extra = options.extra ?? {};
  }
}
