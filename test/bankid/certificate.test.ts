import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import forge from 'node-forge';
import { loadRpCertificate, loadRpCertificateFiles } from '../../src/bankid/certificate.ts';
import { CertificateError, type CertificateProblem } from '../../src/bankid/errors.ts';
import { toPkcs12 } from '../../src/simulator/pki.ts';
import { collectLog, createCa, createRpCertificate, DAY_MS } from './fixtures.ts';

const PASS = 'qwerty123';
const dir = mkdtempSync(join(tmpdir(), 'brygga-cert-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ca = createCa('Brygga Test RP CA');
const leaf = createRpCertificate(ca);
const other = createRpCertificate(ca);

function write(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const files = {
  modern: write('rp-modern.p12', toPkcs12(leaf, [ca], PASS, 'modern')),
  legacy: write('rp-legacy.p12', toPkcs12(leaf, [ca], PASS, 'legacy')),
  certPem: write('rp.crt.pem', leaf.certPem + ca.certPem),
  keyPem: write('rp.key.pem', leaf.keyPem),
  pkcs8Encrypted: write('rp.key.p8.enc.pem', createPrivateKey(leaf.keyPem).export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASS }) as string),
  pkcs1Encrypted: write('rp.key.p1.enc.pem', createPrivateKey(leaf.keyPem).export({ type: 'pkcs1', format: 'pem', cipher: 'aes-256-cbc', passphrase: PASS }) as string),
};

const fingerprint = new X509Certificate(leaf.certPem).fingerprint256.replaceAll(':', '').toLowerCase();

function assertProblem(load: () => unknown, reason: CertificateProblem, message?: RegExp): void {
  assert.throws(load, (err: unknown) => {
    assert.ok(err instanceof CertificateError, `expected a CertificateError, got ${String(err)}`);
    assert.equal(err.reason, reason, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}

function assertIsLeaf(certificate: ReturnType<typeof loadRpCertificate>): void {
  assert.equal(certificate.displayName, 'Brygga Åtkomst');
  assert.equal(certificate.organizationNumber, '5566304928');
  assert.equal(certificate.fingerprint, fingerprint);
  // As encoded in the certificate: whole seconds.
  assert.equal(certificate.notAfter.getTime(), new X509Certificate(leaf.certPem).validToDate.getTime());
  assert.equal(certificate.notBefore.getTime(), new X509Certificate(leaf.certPem).validFromDate.getTime());
  assert.equal(certificate.subject, 'C=SE, O=Brygga AB, serialNumber=5566304928, name=Brygga Åtkomst, CN=FP Brygga test');
  assert.equal(new X509Certificate(certificate.certPem).fingerprint256, new X509Certificate(leaf.certPem).fingerprint256);
  assert.deepEqual(certificate.chainPem.map((pem) => new X509Certificate(pem).subject), [new X509Certificate(ca.certPem).subject]);
  // The key is plain PEM that Node's TLS can use, and it is the certificate's key.
  const key = createPrivateKey(certificate.keyPem);
  assert.deepEqual(createPublicKey(key).export({ format: 'jwk' }), new X509Certificate(leaf.certPem).publicKey.export({ format: 'jwk' }));
}

test('a PKCS#12 loads in both the modern (AES-256/PBKDF2) and the legacy (3DES) encoding', () => {
  for (const file of [files.modern, files.legacy]) {
    assertIsLeaf(loadRpCertificateFiles({ certFile: file, passphrase: PASS }));
  }
});

test('a PEM certificate loads with a plain, an encrypted PKCS#8 or an encrypted PKCS#1 key', () => {
  assertIsLeaf(loadRpCertificateFiles({ certPemFile: files.certPem, keyPemFile: files.keyPem }));
  assertIsLeaf(loadRpCertificateFiles({ certPemFile: files.certPem, keyPemFile: files.pkcs8Encrypted, passphrase: PASS }));
  assertIsLeaf(loadRpCertificate({ certPem: leaf.certPem + ca.certPem, keyPem: readFileSync(files.pkcs1Encrypted, 'utf8'), passphrase: PASS }));
});

test('a single PEM file holding the certificate followed by its encrypted key loads (like FPTestcert5.pem)', () => {
  const combined = write('combined.pem', leaf.certPem + readFileSync(files.pkcs8Encrypted, 'utf8'));
  const certificate = loadRpCertificateFiles({ certPemFile: combined, passphrase: PASS });
  assert.equal(certificate.fingerprint, fingerprint);
  assert.equal(certificate.displayName, 'Brygga Åtkomst');
  assert.deepEqual(certificate.chainPem, []);
});

test('the leaf is the certificate matching the key, whatever the bag order', () => {
  const p12 = forge.pkcs12.toPkcs12Asn1(leaf.key, [ca.cert, leaf.cert], PASS, { algorithm: 'aes256' });
  const certificate = loadRpCertificate({ pkcs12: Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'), passphrase: PASS });
  assertIsLeaf(certificate);
});

test('a wrong or missing passphrase is reported as such', () => {
  assertProblem(() => loadRpCertificateFiles({ certFile: files.modern, passphrase: 'wrong' }), 'wrong-passphrase', /passphrase/);
  assertProblem(() => loadRpCertificateFiles({ certFile: files.legacy, passphrase: 'wrong' }), 'wrong-passphrase');
  assertProblem(() => loadRpCertificateFiles({ certFile: files.modern }), 'wrong-passphrase');
  assertProblem(() => loadRpCertificateFiles({ certPemFile: files.certPem, keyPemFile: files.pkcs8Encrypted, passphrase: 'wrong' }), 'wrong-passphrase');
  assertProblem(() => loadRpCertificateFiles({ certPemFile: files.certPem, keyPemFile: files.pkcs1Encrypted, passphrase: 'wrong' }), 'wrong-passphrase');
  assertProblem(() => loadRpCertificateFiles({ certPemFile: files.certPem, keyPemFile: files.pkcs8Encrypted }), 'wrong-passphrase', /no passphrase/);
});

test('an expired certificate is refused', () => {
  const expired = createRpCertificate(ca, { notBefore: new Date(Date.now() - 400 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) });
  assertProblem(() => loadRpCertificate({ pkcs12: toPkcs12(expired, [ca], PASS), passphrase: PASS }), 'expired', /expired on/);
});

test('a certificate that is not valid yet is refused', () => {
  const future = createRpCertificate(ca, { notBefore: new Date(Date.now() + DAY_MS) });
  assertProblem(() => loadRpCertificate({ certPem: future.certPem, keyPem: future.keyPem }), 'not-yet-valid', /valid only from/);
  // The clock can be given, e.g. to check a certificate ahead of a planned switch.
  assert.equal(loadRpCertificate({ certPem: future.certPem, keyPem: future.keyPem }, { now: new Date(Date.now() + 2 * DAY_MS) }).displayName, 'Brygga Åtkomst');
});

test('a key that belongs to another certificate is refused', () => {
  assertProblem(() => loadRpCertificate({ certPem: leaf.certPem, keyPem: other.keyPem }), 'key-mismatch', /does not belong/);
  const mixed = forge.pkcs12.toPkcs12Asn1(other.key, [leaf.cert, ca.cert], PASS, { algorithm: 'aes256' });
  assertProblem(() => loadRpCertificate({ pkcs12: Buffer.from(forge.asn1.toDer(mixed).getBytes(), 'binary'), passphrase: PASS }), 'key-mismatch');
});

test('missing pieces and unreadable files are named', () => {
  const missing = join(dir, 'nowhere.p12');
  assertProblem(() => loadRpCertificateFiles({ certFile: missing, passphrase: PASS }), 'unreadable', new RegExp(missing.replaceAll('.', '\\.')));
  assertProblem(() => loadRpCertificateFiles({}), 'unreadable', /No RP certificate configured/);
  const garbage = write('garbage.p12', 'not a pkcs12 file at all');
  assertProblem(() => loadRpCertificateFiles({ certFile: garbage, passphrase: PASS }), 'unreadable', /garbage\.p12/);
  const keyOnly = write('key-only.pem', leaf.keyPem);
  assertProblem(() => loadRpCertificateFiles({ certPemFile: keyOnly, keyPemFile: files.keyPem }), 'no-certificate');
  assertProblem(() => loadRpCertificate({ certPem: leaf.certPem, keyPem: leaf.certPem }), 'no-key');
  const noKey = forge.pkcs12.toPkcs12Asn1(null, [leaf.cert], PASS, { algorithm: 'aes256' });
  assertProblem(() => loadRpCertificate({ pkcs12: Buffer.from(forge.asn1.toDer(noKey).getBytes(), 'binary'), passphrase: PASS }), 'no-key');
});

test('fewer than 30 days left logs a warning; more does not', () => {
  const soon = createRpCertificate(ca, { notBefore: new Date(Date.now() - 300 * DAY_MS), notAfter: new Date(Date.now() + 10 * DAY_MS + 60_000) });
  const log = collectLog();
  const certificate = loadRpCertificate({ certPem: soon.certPem, keyPem: soon.keyPem }, { logger: log.logger });
  assert.equal(certificate.daysLeft(), 10);
  assert.equal(certificate.daysLeft(new Date(Date.now() + 5 * DAY_MS)), 5);
  const warnings = log.lines().filter((line) => line.level === 40);
  assert.equal(warnings.length, 1);
  assert.equal(warnings[0]!.daysLeft, 10);
  assert.equal(warnings[0]!.fingerprint, certificate.fingerprint);
  assert.match(String(warnings[0]!.msg), /expires in 10 days/);

  const quiet = collectLog();
  loadRpCertificate({ certPem: leaf.certPem, keyPem: leaf.keyPem }, { logger: quiet.logger });
  assert.deepEqual(quiet.lines(), []);
});

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test('PKCS#12 files written by OpenSSL load: AES-256 with a non-ASCII passphrase, and RC2-40 legacy', { skip: !hasOpenssl && 'openssl not installed' }, () => {
  const exportP12 = (name: string, passphrase: string, extra: string[]) => {
    const out = join(dir, name);
    execFileSync('openssl', ['pkcs12', '-export', '-in', files.certPem, '-inkey', files.keyPem, '-out', out, '-passout', 'env:P12PASS', ...extra],
      { env: { ...process.env, P12PASS: passphrase }, stdio: 'ignore' });
    return out;
  };
  const modern = exportP12('openssl-modern.p12', 'lösenord', []);
  assertIsLeaf(loadRpCertificateFiles({ certFile: modern, passphrase: 'lösenord' }));
  assertProblem(() => loadRpCertificateFiles({ certFile: modern, passphrase: 'losenord' }), 'wrong-passphrase');
  const rc2 = exportP12('openssl-rc2.p12', PASS, ['-legacy', '-certpbe', 'PBE-SHA1-RC2-40', '-keypbe', 'PBE-SHA1-3DES']);
  assertIsLeaf(loadRpCertificateFiles({ certFile: rc2, passphrase: PASS }));
});
