import type { KeyJson, RewrapStatusJson } from '@anode/shared/admin-api/index';
import type { Column, Output } from '../../output.js';

/** One row per key: name, provider, current version, versions (with their states), objects per version. */
export function keyColumns(out: Output): Column<KeyJson>[] {
  return [
    { header: 'name', value: (k) => k.name },
    { header: 'provider', value: (k) => k.provider },
    { header: 'current', value: (k) => (k.current_version === null ? out.style.yellow('none') : `v${k.current_version}`) },
    {
      header: 'versions',
      value: (k) => k.versions.map((v) => (v.state === 'retired' ? out.style.dim(`v${v.version} (retired)`) : `v${v.version}`)).join(', '),
    },
    { header: 'objects per version', value: (k) => k.versions.map((v) => `v${v.version}: ${v.objects}`).join(', ') },
  ];
}

export function keyText(out: Output, k: KeyJson): string {
  return out.table(keyColumns(out), [k]);
}

export function rewrapText(out: Output, s: RewrapStatusJson): string {
  return out.details([
    ['Key', s.name],
    ['To version', `v${s.to_version}`],
    ['Running', s.running ? 'yes' : 'no'],
    ['Started', s.started_at],
    ['Finished', s.finished_at],
    ['Total', s.total],
    ['Rewrapped', s.rewrapped],
    ['Skipped', s.skipped],
    ['Failed', s.failed],
    ['Last error', s.last_error],
  ]);
}
