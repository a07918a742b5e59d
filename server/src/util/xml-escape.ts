/** The one XML escaper, for the S3 plane's writer and the ACL serializer alike. */

/**
 * Escapes text as AWS does (S3 user guide, "XML related object key constraints"): the five
 * markup characters by name; CR and LF as numeric references, so a parser's end-of-line
 * normalisation cannot turn a key's CR into LF; and every character XML 1.0 cannot carry
 * (the other C0 controls, U+FFFE, U+FFFF) as a numeric reference too. A strict XML 1.0
 * parser still rejects those references: for such keys clients list with
 * encoding-type=url, which AWS documents for exactly this (botocore sends it by default).
 */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"'\u0000-\u0008\u000a-\u001f\ufffe\uffff]/g, (c) => {
    switch (c) {
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '&':
        return '&amp;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      default:
        return `&#x${c.charCodeAt(0).toString(16)};`;
    }
  });
}
