/** What may go into a node certificate's names and file names. */

/** Node names become file names (<node>.crt) and the certificate CN: keep them plain. */
const NODE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export class InvalidNameError extends Error {
  override name = 'InvalidNameError';
}

export function validateNodeName(name: string): string {
  if (!NODE_NAME.test(name) || name.includes('..')) {
    throw new InvalidNameError(
      `invalid node name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-' (max 63), starting with a letter or digit`,
    );
  }
  return name;
}

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A DNS name for a subjectAltName: LDH labels, lower-cased; no wildcards (a node certificate names one host). */
export function validateDnsName(raw: string): string {
  const name = raw.toLowerCase().replace(/\.$/, '');
  if (name.length === 0 || name.length > 253 || !name.split('.').every((label) => LABEL.test(label))) {
    throw new InvalidNameError(`invalid DNS name ${JSON.stringify(raw)}: expected labels of letters, digits and '-' separated by dots`);
  }
  return name;
}
