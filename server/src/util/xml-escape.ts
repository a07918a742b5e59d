/** The one XML escaper, for the S3 plane's writer and the ACL serializer alike. */

/** Escapes text; control characters that XML 1.0 cannot carry become numeric references. */
export function escapeXml(s: string): string {
  return s.replace(/[<>&"'\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, (c) => {
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
