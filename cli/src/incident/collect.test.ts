import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactToml } from './collect.js';

test('redactToml replaces secret-bearing values and keeps everything else', () => {
  const text = [
    '[server]',
    's3_listen = "0.0.0.0:8443"',
    '[storage]',
    'metadata_backend = "postgres"',
    'postgres_url = "postgres://anode:hunter2@db:5432/anode"',
    'master_key = "/etc/anode/master.key"',
    '[extra]',
    '  root_secret_key = "abc"',
    'api_token="t"',
  ].join('\n');
  const out = redactToml(text);
  assert.ok(!out.includes('hunter2'));
  assert.ok(!out.includes('"abc"') && !out.includes('"t"'));
  assert.match(out, /^postgres_url = "REDACTED"$/m);
  assert.match(out, /^ {2}root_secret_key = "REDACTED"$/m);
  assert.match(out, /^s3_listen = "0\.0\.0\.0:8443"$/m);
  assert.match(out, /^master_key = "\/etc\/anode\/master\.key"$/m, 'a path to a key is not the key');
});
