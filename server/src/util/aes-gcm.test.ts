import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { freshKey, gcmDecryptInPlace, gcmEncryptInPlace, gcmOpen, gcmOpenInPlace, gcmSeal, gcmSealInPlace } from './aes-gcm.js';

const key = randomBytes(32);
const aad = Buffer.from('bucket/key/version/chunk 7');

function nodeSeal(nonce: Buffer, plain: Buffer): { ct: Buffer; tag: Buffer } {
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(plain), c.final()]);
  return { ct, tag: c.getAuthTag() };
}

test('aes-gcm: the same bytes as Node crypto both ways, at every size (chunks sealed before the addon still open)', () => {
  for (const n of [0, 1, 15, 16, 17, 4096, 65_536, 65_537, 1 << 20]) {
    const plain = randomBytes(n);
    const nonce = randomBytes(12);
    const ours = Buffer.from(plain);
    const tag = Buffer.alloc(16);
    gcmEncryptInPlace(key, nonce, aad, ours, tag);
    const theirs = nodeSeal(nonce, plain);
    assert.deepEqual(ours, theirs.ct, `ciphertext, ${n} bytes`);
    assert.deepEqual(tag, theirs.tag, `tag, ${n} bytes`);

    const d = createDecipheriv('aes-256-gcm', key, nonce);
    d.setAAD(aad);
    d.setAuthTag(tag);
    assert.deepEqual(Buffer.concat([d.update(ours), d.final()]), plain);

    assert.equal(gcmDecryptInPlace(key, nonce, aad, theirs.ct, theirs.tag), true);
    assert.deepEqual(theirs.ct, plain, `opened in place, ${n} bytes`);
  }
});

test('aes-gcm: the sealed form is nonce | ciphertext | tag, as Node crypto reads and writes it (keys wrapped before still unwrap)', () => {
  const plain = randomBytes(32); // a data key, as a key provider wraps it
  const sealed = gcmSeal(key, aad, plain);
  assert.equal(sealed.length, 12 + 32 + 16);
  const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(44));
  assert.deepEqual(Buffer.concat([d.update(sealed.subarray(12, 44)), d.final()]), plain);

  const nonce = randomBytes(12);
  const theirs = nodeSeal(nonce, plain);
  const blob = Buffer.concat([nonce, theirs.ct, theirs.tag]);
  const copy = Buffer.from(blob);
  assert.deepEqual(gcmOpen(key, aad, blob), plain);
  assert.deepEqual(blob, copy, 'gcmOpen leaves its input as it was');
  assert.deepEqual(gcmOpenInPlace(key, aad, blob), plain, 'in place: a view of the input');
  assert.equal(gcmOpen(key, Buffer.from('other'), copy), null);
  assert.equal(gcmOpen(key, aad, copy.subarray(0, 27)), null, 'shorter than nonce and tag');

  // In place: the plaintext sits between the nonce and tag it gets; two seals never share a nonce.
  const a = Buffer.alloc(12 + 5 + 16);
  a.write('hello', 12);
  const b = Buffer.from(a);
  gcmSealInPlace(key, aad, a);
  gcmSealInPlace(key, aad, b);
  assert.notDeepEqual(a.subarray(0, 12), b.subarray(0, 12));
  assert.equal(gcmOpen(key, aad, a)?.toString(), 'hello');
  assert.throws(() => gcmSealInPlace(key, aad, Buffer.alloc(27)), RangeError);
});

test('aes-gcm: a failed open returns false and zeroes the bytes; every input is bound', () => {
  const plain = randomBytes(5000);
  const nonce = randomBytes(12);
  const sealed = Buffer.from(plain);
  const tag = Buffer.alloc(16);
  gcmEncryptInPlace(key, nonce, aad, sealed, tag);
  const cases: Array<[string, (b: Buffer) => boolean]> = [
    ['flipped byte', (b) => ((b[100] = b[100]! ^ 1), gcmDecryptInPlace(key, nonce, aad, b, tag))],
    ['other key', (b) => gcmDecryptInPlace(randomBytes(32), nonce, aad, b, tag)],
    ['other nonce', (b) => gcmDecryptInPlace(key, randomBytes(12), aad, b, tag)],
    ['other aad', (b) => gcmDecryptInPlace(key, nonce, Buffer.from('elsewhere'), b, tag)],
    ['other tag', (b) => gcmDecryptInPlace(key, nonce, aad, b, randomBytes(16))],
    ['cut short', (b) => gcmDecryptInPlace(key, nonce, aad, b.subarray(0, 4999), tag)],
  ];
  for (const [name, open] of cases) {
    const b = Buffer.from(sealed);
    assert.equal(open(b), false, name);
    const touched = name === 'cut short' ? b.subarray(0, 4999) : b;
    assert.ok(
      touched.every((x) => x === 0),
      `${name}: no unauthenticated plaintext left`,
    );
  }
  // After failures the reused context still opens good bytes.
  const b = Buffer.from(sealed);
  assert.equal(gcmDecryptInPlace(key, nonce, aad, b, tag), true);
  assert.deepEqual(b, plain);
});

test('aes-gcm: views and plain Uint8Arrays work; wrong types and sizes are clear errors, never a crash', () => {
  const backing = Buffer.alloc(200, 7);
  const view = backing.subarray(50, 150); // a view: only its 100 bytes change
  const nonce = new Uint8Array(randomBytes(12));
  const tag = new Uint8Array(16);
  gcmEncryptInPlace(new Uint8Array(key), nonce, new Uint8Array(0), view, tag);
  assert.ok(backing.subarray(0, 50).every((x) => x === 7) && backing.subarray(150).every((x) => x === 7));
  assert.equal(gcmDecryptInPlace(key, nonce, Buffer.alloc(0), view, tag), true);
  assert.ok(view.every((x) => x === 7));

  const d = Buffer.alloc(10);
  assert.throws(() => gcmEncryptInPlace(key.subarray(0, 16), nonce, aad, d, tag), { name: 'RangeError', message: 'key must be 32 bytes' });
  assert.throws(() => gcmEncryptInPlace(key, Buffer.alloc(16), aad, d, tag), { name: 'RangeError', message: 'nonce must be 12 bytes' });
  assert.throws(() => gcmDecryptInPlace(key, nonce, aad, d, Buffer.alloc(8)), { name: 'RangeError', message: 'tag must be 16 bytes' });
  const notBytes = 'not bytes' as unknown as Uint8Array;
  assert.throws(() => gcmEncryptInPlace(key, nonce, notBytes, d, tag), { name: 'TypeError', message: 'aad must be a Uint8Array' });
  assert.throws(() => gcmDecryptInPlace(key, nonce, aad, new Uint16Array(4) as unknown as Uint8Array, tag), {
    name: 'TypeError',
    message: 'data must be a Uint8Array',
  });
  const open = gcmDecryptInPlace as unknown as (...a: unknown[]) => boolean;
  assert.throws(() => open(key, nonce), { name: 'TypeError', message: 'aad must be a Uint8Array' });
});

test('aes-gcm: worker threads each have their own context, concurrently with this thread', async () => {
  // Workers load the built module (as the crypto pool does): they run without the TS loader.
  const url = new URL('../../dist/util/aes-gcm.js', import.meta.url).href;
  const source = `
    import { parentPort, workerData } from 'node:worker_threads';
    import { createCipheriv } from 'node:crypto';
    const { gcmEncryptInPlace, gcmDecryptInPlace } = await import(${JSON.stringify(url)});
    const key = Buffer.from(workerData.key);
    let bad = 0;
    for (let i = 0; i < 300; i++) {
      const nonce = Buffer.alloc(12, i % 256);
      const plain = Buffer.alloc(70000, i % 256);
      const b = Buffer.from(plain), tag = Buffer.alloc(16);
      gcmEncryptInPlace(key, nonce, Buffer.alloc(1, workerData.n), b, tag);
      const c = createCipheriv('aes-256-gcm', key, nonce); c.setAAD(Buffer.alloc(1, workerData.n));
      if (!c.update(plain).equals(b)) bad++;
      c.final(); if (!c.getAuthTag().equals(tag)) bad++;
      if (!gcmDecryptInPlace(key, nonce, Buffer.alloc(1, workerData.n), b, tag) || !b.equals(plain)) bad++;
    }
    parentPort.postMessage(bad);`;
  const workers = [1, 2, 3].map(
    (n) => new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`), { workerData: { key, n } }),
  );
  const results = workers.map((w) => new Promise<number>((resolve, reject) => w.once('message', resolve).once('error', reject)));
  // Meanwhile this thread's own context runs too.
  for (let i = 0; i < 300; i++) {
    const b = randomBytes(70000);
    const plain = Buffer.from(b);
    const nonce = randomBytes(12);
    const tag = Buffer.alloc(16);
    gcmEncryptInPlace(key, nonce, aad, b, tag);
    assert.equal(gcmDecryptInPlace(key, nonce, aad, b, tag), true);
    assert.deepEqual(b, plain);
  }
  assert.deepEqual(await Promise.all(results), [0, 0, 0]);
  await Promise.all(workers.map((w) => w.terminate()));
});

test('aes-gcm: freshKey gives 32 bytes of its own, new every time and not biased', () => {
  const keys = Array.from({ length: 2000 }, () => freshKey());
  for (const k of keys) {
    assert.equal(k.length, 32);
    assert.equal(k.byteOffset, 0, 'not a slice of a shared pool');
    assert.equal(k.buffer.byteLength, 32);
  }
  assert.equal(new Set(keys.map((k) => k.toString('hex'))).size, keys.length);
  // 64,000 bytes: every byte value appears, and set bits are near half (a stuck generator fails this).
  const all = Buffer.concat(keys);
  assert.equal(new Set(all).size, 256);
  let ones = 0;
  for (const b of all) for (let v = b; v > 0; v >>= 1) ones += v & 1;
  const ratio = ones / (all.length * 8);
  assert.ok(ratio > 0.49 && ratio < 0.51, `bit ratio ${ratio}`);
});
