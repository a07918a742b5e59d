/**
 * SigV4 percent-encoding: every byte except A-Z a-z 0-9 - _ . ~ becomes %XX (uppercase
 * hex); "/" is kept only when encodeSlash is false (paths).
 */
const UNRESERVED = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~') UNRESERVED[c.charCodeAt(0)] = 1;

const ENCODED: readonly string[] = Array.from({ length: 256 }, (_, b) =>
  UNRESERVED[b] === 1 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
);

export function uriEncode(input: Uint8Array | string, encodeSlash: boolean): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out += b === 0x2f && !encodeSlash ? '/' : ENCODED[b]!;
  }
  return out;
}

function hexValue(code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30;
  if (code >= 0x41 && code <= 0x46) return code - 0x37;
  if (code >= 0x61 && code <= 0x66) return code - 0x57;
  return -1;
}

/**
 * Percent-decodes to raw bytes. "+" stays "+" (S3 does not treat it as a space). A "%"
 * not followed by two hex digits is kept as a literal "%" so that signer and verifier,
 * which both use this function, agree on the canonical form.
 */
export function percentDecode(input: string): Buffer {
  if (!input.includes('%')) return Buffer.from(input, 'utf8');
  const parts: Buffer[] = [];
  let plainStart = 0;
  let i = 0;
  while (i < input.length) {
    const escaped = escapeAt(input, i);
    if (escaped < 0) {
      i++;
      continue;
    }
    if (i > plainStart) parts.push(Buffer.from(input.slice(plainStart, i), 'utf8'));
    // Collect a run of escapes into one buffer.
    const bytes: number[] = [];
    for (let b = escaped; b >= 0; b = escapeAt(input, i)) {
      bytes.push(b);
      i += 3;
    }
    parts.push(Buffer.from(bytes));
    plainStart = i;
  }
  if (input.length > plainStart) parts.push(Buffer.from(input.slice(plainStart), 'utf8'));
  return Buffer.concat(parts);
}

/** The byte of a "%XX" escape starting at i, or -1. */
function escapeAt(input: string, i: number): number {
  if (i + 2 >= input.length || input.charCodeAt(i) !== 0x25) return -1;
  const hi = hexValue(input.charCodeAt(i + 1));
  const lo = hexValue(input.charCodeAt(i + 2));
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}
