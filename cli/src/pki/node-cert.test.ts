import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectCertificate } from './inspect.js';
import { CaUnusableError, issueNodeCertificate } from './node-cert.js';
import { InvalidNameError } from './names.js';
import { InvalidAddressError } from '../net/ip.js';
import { testCa } from './test-fixtures.js';

function opensslVerify(caPem: string, certPem: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'anode-verify-'));
  writeFileSync(join(dir, 'ca.crt'), caPem);
  writeFileSync(join(dir, 'node.crt'), certPem);
  try {
    const output = execFileSync('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'node.crt')], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return { ok: true, output };
  } catch (err) {
    return { ok: false, output: String((err as { stdout?: string }).stdout ?? '') + String((err as { stderr?: string }).stderr ?? '') };
  }
}

test('an issued node certificate verifies against its CA with openssl, and not against another CA', () => {
  const ca = testCa();
  const node = issueNodeCertificate({ ca, node: 'node1', dnsNames: ['node1.anode.internal'], ipAddresses: ['10.0.0.5'], days: 30 });
  const verified = opensslVerify(ca.certPem, node.certPem);
  assert.ok(verified.ok, verified.output);
  assert.match(verified.output, /OK/);
  assert.equal(opensslVerify(testCa('Other CA').certPem, node.certPem).ok, false);
});

test('node certificates carry the SANs, usages and identifiers cluster mTLS needs', () => {
  const ca = testCa();
  const issued = issueNodeCertificate({
    ca,
    node: 'node-2',
    dnsNames: ['Node2.Example.', 'node2.example'],
    ipAddresses: ['192.0.2.9', '2001:db8::9', '::ffff:10.1.2.3'],
    days: 10,
  });
  const info = inspectCertificate(Buffer.from(issued.certPem));
  assert.equal(info.subject, 'CN=node-2, O=Anode');
  assert.equal(info.issuer, 'CN=Test CA, O=Anode');
  assert.deepEqual(info.dnsNames, ['node2.example']);
  assert.deepEqual(info.ipAddresses, ['192.0.2.9', '2001:db8::9', '::ffff:a01:203']);
  assert.deepEqual(info.keyUsage, ['digitalSignature', 'keyEncipherment']);
  assert.deepEqual(info.extKeyUsage, ['serverAuth', 'clientAuth']);
  assert.equal(info.isCA, false);
  assert.equal(info.publicKey, 'RSA 2048');
  assert.ok(info.daysLeft === 9 || info.daysLeft === 10, String(info.daysLeft));

  const text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: issued.certPem, encoding: 'utf8' });
  assert.match(text, /Basic Constraints: critical\s+CA:FALSE/);
  assert.match(text, /Key Usage: critical\s+Digital Signature, Key Encipherment/);
  const caText = execFileSync('openssl', ['x509', '-noout', '-text'], { input: ca.certPem, encoding: 'utf8' });
  const caSki = /Subject Key Identifier:\s+([0-9A-F:]+)/.exec(caText)?.[1];
  const aki = /Authority Key Identifier:\s+(?:keyid:)?([0-9A-F:]+)/.exec(text)?.[1];
  assert.ok(caSki !== undefined && caSki === aki, `AKI ${aki} should equal the CA's SKI ${caSki}`);
  assert.match(text, /Subject Key Identifier/);
  // The private key matches the certificate.
  assert.ok(new X509Certificate(issued.certPem).checkPrivateKey(createPrivateKey(issued.keyPem)));
});

test('serial numbers are random, positive and 16 bytes', () => {
  const ca = testCa();
  const serials = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const issued = issueNodeCertificate({ ca, node: 'n', dnsNames: ['n.example'], ipAddresses: [], days: 1 });
    assert.match(issued.serialHex, /^[4-7][0-9a-f]{31}$/);
    serials.add(issued.serialHex);
  }
  assert.equal(serials.size, 3);
});

test('validity is cut to the CA expiry, with a warning', () => {
  const ca = testCa('Short CA', 5);
  const issued = issueNodeCertificate({ ca, node: 'n', dnsNames: ['n.example'], ipAddresses: [], days: 365 });
  assert.equal(issued.warnings.length, 1);
  assert.match(issued.warnings[0] ?? '', /cut to the CA's expiry/);
  assert.ok(issued.notAfter.getTime() <= new Date(new X509Certificate(ca.certPem).validTo).getTime());
});

test("refuses bad names, addresses, no SANs, a key that is not the CA's and a non-CA issuer", () => {
  const ca = testCa();
  const base = { ca, node: 'n', dnsNames: ['n.example'], ipAddresses: [], days: 1 };
  assert.throws(() => issueNodeCertificate({ ...base, node: '../etc/passwd' }), InvalidNameError);
  assert.throws(() => issueNodeCertificate({ ...base, node: '.hidden' }), InvalidNameError);
  assert.throws(() => issueNodeCertificate({ ...base, dnsNames: ['*.example'] }), InvalidNameError);
  assert.throws(() => issueNodeCertificate({ ...base, dnsNames: ['bad_name.example'] }), InvalidNameError);
  assert.throws(() => issueNodeCertificate({ ...base, ipAddresses: ['10.0.0.256'] }), InvalidAddressError);
  assert.throws(() => issueNodeCertificate({ ...base, dnsNames: [] }), /at least one --dns name or --ip/);
  assert.throws(() => issueNodeCertificate({ ...base, ca: { certPem: ca.certPem, keyPem: testCa('Other CA').keyPem } }), /does not belong/);
  const leaf = issueNodeCertificate(base);
  assert.throws(() => issueNodeCertificate({ ...base, ca: { certPem: leaf.certPem, keyPem: leaf.keyPem } }), CaUnusableError);
  assert.throws(() => issueNodeCertificate({ ...base, ca: { certPem: 'junk', keyPem: ca.keyPem } }), /not a PEM X.509/);
});
