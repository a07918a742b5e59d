/** The credential scope "AKID/yyyymmdd/region/service/aws4_request", parsed. */
export interface CredentialScope {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
}

/** Splits a Credential value; undefined when it does not have exactly five non-empty parts and an 8-digit date. */
export function parseCredential(value: string): CredentialScope | undefined {
  const parts = value.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) return undefined;
  const [accessKeyId, date, region, service, terminator] = parts as [string, string, string, string, string];
  if (!/^\d{8}$/.test(date)) return undefined;
  return { accessKeyId, date, region, service, terminator };
}
