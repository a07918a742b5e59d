export interface CanonicalRequestParts {
  method: string;
  canonicalUri: string;
  canonicalQuery: string;
  /** Output of canonicalHeaders(): each line ends with "\n". */
  canonicalHeaders: string;
  signedHeaders: readonly string[];
  /** The payload line: hex SHA-256, UNSIGNED-PAYLOAD or a STREAMING-... literal. */
  payloadHash: string;
}

/** Method \n URI \n query \n headers (each ending \n) \n signed;headers \n payload hash. */
export function createCanonicalRequest(parts: CanonicalRequestParts): string {
  return [
    parts.method,
    parts.canonicalUri,
    parts.canonicalQuery,
    parts.canonicalHeaders,
    parts.signedHeaders.join(';'),
    parts.payloadHash,
  ].join('\n');
}
