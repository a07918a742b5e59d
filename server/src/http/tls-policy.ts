/**
 * The TLS policy of every listener anode opens (S3, admin, and any cluster listener):
 * TLS 1.2 or 1.3 only, and at TLS 1.2 only AEAD cipher suites with forward secrecy
 * (ECDHE with AES-GCM or ChaCha20-Poly1305). CBC suites such as AES128-SHA — and
 * everything without ECDHE — are refused at the handshake. TLS 1.3 suites are AEAD by
 * definition and are listed so they stay enabled.
 */
export const TLS12_AEAD_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
] as const;

export const TLS13_CIPHERS = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'] as const;

/** Options for tls.createServer / https.createServer (and grpc-js's createSsl, via `ciphers`). */
export const TLS_SERVER_OPTIONS = {
  minVersion: 'TLSv1.2',
  ciphers: [...TLS13_CIPHERS, ...TLS12_AEAD_CIPHERS].join(':'),
  honorCipherOrder: true,
} as const;
