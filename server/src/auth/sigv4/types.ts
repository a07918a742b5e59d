/** What the verifier needs from an HTTP request; taken straight from node's IncomingMessage. */
export interface AuthRequest {
  method: string;
  /** The path exactly as on the request line, still percent-encoded, without the query. */
  rawPath: string;
  /** The query string exactly as on the request line, without the leading '?'. */
  rawQuery: string;
  /** node's req.rawHeaders: [name, value, name, value, ...] in arrival order. */
  rawHeaders: readonly string[];
  /** The bucket when it came from the Host header (SigV2 signs it as part of the path). */
  virtualHostBucket?: string;
}

/** The secret behind an access key, or undefined when the key is unknown, revoked or expired. */
export type SecretLookup = (accessKeyId: string) => Promise<string | undefined>;

export interface VerifyOptions {
  region: string;
  /** Service in the credential scope; always "s3" for the S3 plane. */
  service: string;
  now: Date;
  lookup: SecretLookup;
  /** Accept legacy Signature V2 (`[auth] allow_sigv2`); refused with InvalidRequest otherwise. */
  allowSigV2?: boolean;
}

/** How the request body must be checked, decided by x-amz-content-sha256. */
export type PayloadMode =
  /** The SHA-256 hex the client signed; the body must hash to it (XAmzContentSHA256Mismatch). */
  | { type: 'sha256'; hex: string }
  | { type: 'unsigned' }
  /** aws-chunked with per-chunk signatures; `trailer` when ...-PAYLOAD-TRAILER. */
  | { type: 'streaming-signed'; trailer: boolean }
  /** aws-chunked without signatures, checksum in a trailer (STREAMING-UNSIGNED-PAYLOAD-TRAILER). */
  | { type: 'streaming-unsigned-trailer' };

/** State the aws-chunked decoder needs to verify chunk and trailer signatures. */
export interface ChunkSigningContext {
  signingKey: Buffer;
  /** The request's own signature: the "previous signature" of the first chunk. */
  seedSignature: string;
  amzDate: string;
  /** "<date>/<region>/<service>/aws4_request" */
  scope: string;
}

export type VerifiedAuth =
  | { kind: 'anonymous' }
  | {
      kind: 'header' | 'presigned';
      accessKeyId: string;
      /** Signed-payload rules for the body. Presigned requests are always 'unsigned'. */
      payload: PayloadMode;
      /** Present for streaming-signed payloads. */
      chunkSigning?: ChunkSigningContext;
      /** Request time from X-Amz-Date. */
      requestTime: Date;
      /** Lowercased names of the signed headers. */
      signedHeaders: string[];
      /** 'AWS' for a legacy SigV2 request (s3:signatureversion); absent for SigV4. */
      signatureVersion?: 'AWS';
    };
