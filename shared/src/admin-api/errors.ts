import { AnodeError } from '../errors.js';

/** A non-2xx answer from the admin API (or an S3 endpoint): the server's code and message, never the request's secrets. */
export class AdminApiError extends AnodeError {
  override name = 'AdminApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    /** How the answer was encoded: the admin API's JSON envelope, an S3 XML error, or neither. */
    readonly format: 'json' | 'xml' | 'other' = 'other',
  ) {
    super(message);
  }
}
