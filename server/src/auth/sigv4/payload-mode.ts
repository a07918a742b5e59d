import {
  STREAMING_ECDSA_PAYLOAD,
  STREAMING_ECDSA_PAYLOAD_TRAILER,
  STREAMING_SIGNED_PAYLOAD,
  STREAMING_SIGNED_PAYLOAD_TRAILER,
  STREAMING_UNSIGNED_PAYLOAD_TRAILER,
  UNSIGNED_PAYLOAD,
} from '@anode/shared/sigv4/index';
import { SigV4Error } from './errors.js';
import type { PayloadMode } from './types.js';

const INVALID_MESSAGE =
  'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.';

/**
 * Reads x-amz-content-sha256 into a PayloadMode. `undefined` means the header is missing.
 * On GET and HEAD an invalid value is tolerated (AWS ignores it there): the body is empty
 * and the value still takes part in the signature.
 */
export function payloadModeFromHeader(value: string | undefined, method: string): PayloadMode {
  if (value === undefined) {
    throw new SigV4Error('InvalidRequest', { message: 'Missing required header for this request: x-amz-content-sha256' });
  }
  if (/^[0-9a-f]{64}$/.test(value)) return { type: 'sha256', hex: value };
  switch (value) {
    case UNSIGNED_PAYLOAD:
      return { type: 'unsigned' };
    case STREAMING_SIGNED_PAYLOAD:
      return { type: 'streaming-signed', trailer: false };
    case STREAMING_SIGNED_PAYLOAD_TRAILER:
      return { type: 'streaming-signed', trailer: true };
    case STREAMING_UNSIGNED_PAYLOAD_TRAILER:
      return { type: 'streaming-unsigned-trailer' };
    case STREAMING_ECDSA_PAYLOAD:
    case STREAMING_ECDSA_PAYLOAD_TRAILER:
      throw new SigV4Error('NotImplemented', {
        message: 'SigV4a (ECDSA) streaming payloads are not supported; use STREAMING-AWS4-HMAC-SHA256-PAYLOAD.',
      });
  }
  if (method === 'GET' || method === 'HEAD') return { type: 'unsigned' };
  throw new SigV4Error('InvalidArgument', {
    message: INVALID_MESSAGE,
    extra: { ArgumentName: 'x-amz-content-sha256', ArgumentValue: value },
  });
}

/** Presigned URLs: UNSIGNED-PAYLOAD unless the signed query carries a hex X-Amz-Content-Sha256. */
export function payloadModeFromQuery(value: string | undefined): PayloadMode {
  if (value === undefined || value === UNSIGNED_PAYLOAD) return { type: 'unsigned' };
  if (/^[0-9a-f]{64}$/.test(value)) return { type: 'sha256', hex: value };
  throw new SigV4Error('InvalidArgument', {
    message: 'X-Amz-Content-Sha256 in a presigned URL must be UNSIGNED-PAYLOAD or a valid sha256 value.',
    extra: { ArgumentName: 'X-Amz-Content-Sha256', ArgumentValue: value },
  });
}
