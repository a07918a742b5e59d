import type { CredentialInfo } from '@anode/shared/admin-api/index';
import type { Column, Output } from '../../output.js';

export function credentialColumns(out: Output): Column<CredentialInfo>[] {
  return [
    { header: 'access key', value: (c) => c.access_key },
    { header: 'user', value: (c) => c.user },
    { header: 'role', value: (c) => c.role },
    {
      header: 'status',
      value: (c) =>
        c.status === 'active' ? out.style.green(c.status) : c.status === 'expiring' ? out.style.yellow(c.status) : out.style.dim(c.status),
    },
    { header: 'permissions', value: (c) => c.permissions.join(','), wide: true },
    { header: 'created', value: (c) => out.when(c.created), wide: true },
    { header: 'last used', value: (c) => out.when(c.last_used) },
    { header: 'expires', value: (c) => out.when(c.expires ?? c.revoked), wide: true },
  ];
}

/** The one place a secret is printed: on creation and rotation, once. */
export function createdText(out: Output, c: CredentialInfo & { secret_key: string }): string {
  return [
    out.details([
      ['Access key', c.access_key],
      ['Secret key', c.secret_key],
      ['User', c.user],
      ['Role', c.role],
      ['Permissions', c.permissions.join(', ')],
    ]),
    out.style.yellow('The secret key is shown only this once: store it now.'),
  ].join('\n');
}
