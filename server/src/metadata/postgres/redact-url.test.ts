import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { passwordOf, redactPostgresUrl } from './redact-url.js';

describe('redactPostgresUrl', () => {
  const cases: Array<[string, string, string | null]> = [
    ['postgres://anode:s3cret@db:5432/anode', 'postgres://anode:***@db:5432/anode', 's3cret'],
    ['postgresql://anode:p%40ss%2Fw@db/anode?sslmode=verify-full', 'postgresql://anode:***@db/anode?sslmode=verify-full', 'p@ss/w'],
    ['postgres://anode@db/anode', 'postgres://anode@db/anode', null],
    ['postgres://db/anode?user=anode&password=qwerty', 'postgres://db/anode?user=anode&password=***', 'qwerty'],
    ['host=db user=anode password=hunter2 dbname=anode', 'host=db user=anode password=*** dbname=anode', 'hunter2'],
    ["host=db password='sp ace' dbname=anode", 'host=db password=*** dbname=anode', 'sp ace'],
  ];
  for (const [url, redacted, password] of cases) {
    test(`${redacted}`, () => {
      assert.equal(redactPostgresUrl(url), redacted);
      assert.equal(passwordOf(url), password);
      if (password !== null) assert.ok(!redactPostgresUrl(url).includes(password));
    });
  }
});
