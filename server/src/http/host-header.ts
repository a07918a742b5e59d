/** True when the request carries more than one Host header (RFC 9112 §3.2: answer 400). */
export function hasDuplicateHost(rawHeaders: readonly string[]): boolean {
  let seen = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === 'host' && ++seen > 1) return true;
  }
  return false;
}
