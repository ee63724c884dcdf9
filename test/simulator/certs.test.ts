import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { createSecureContext } from 'node:tls';
import forge from 'node-forge';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { rpCall, SIMULATOR_SETTINGS } from './support.ts';

const dir = mkdtempSync(join(tmpdir(), 'brygga-sim-certs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const read = (file: string) => readFileSync(join(dir, file));
const cert = (file: string) => new X509Certificate(read(file));

async function withSimulator<T>(passphrase: string, use: (sim: RunningSimulator) => Promise<T>): Promise<T> {
  const sim = await startSimulator({ ...SIMULATOR_SETTINGS, certsDir: join(dir, 'nested'), port: 0, controlPort: 0, p12Passphrase: passphrase });
  try {
    return await use(sim);
  } finally {
    await sim.close();
  }
}

const files = (...names: string[]) => Object.fromEntries(names.map((n) => [n, read(join('nested', n)).toString('base64')]));

test('first start creates the CA, server, RP and user PKI files in a new directory', async () => {
  await withSimulator('qwerty123', async (sim) => {
    const at = (file: string) => join(dir, 'nested', file);
    assert.equal(sim.caFile, at('ca.pem'));
    assert.equal(sim.rpP12File, at('rp.p12'));
    assert.equal(sim.rpP12Passphrase, 'qwerty123');
    assert.equal(sim.caPem, readFileSync(at('ca.pem'), 'utf8'));
    assert.equal(sim.userRootCaPem, readFileSync(at('user-root-ca.pem'), 'utf8'));
    assert.ok(existsSync(at('rp-ca.pem')));

    for (const key of ['ca.key', 'server.key', 'rp-ca.key', 'rp.key', 'rp.p12', 'user-root-ca.key', 'user-bank-ca.key', 'user-customer-ca.key', 'user-ocsp.key']) {
      assert.equal(statSync(at(key)).mode & 0o777, 0o600, `${key} is private`);
    }
    const ca = cert(join('nested', 'ca.pem'));
    const server = cert(join('nested', 'server.pem'));
    assert.ok(ca.ca && server.checkIssued(ca) && server.verify(ca.publicKey));
    assert.equal(server.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');

    const rp = cert(join('nested', 'rp.pem'));
    assert.ok(rp.checkIssued(cert(join('nested', 'rp-ca.pem'))));
    assert.equal(rp.subject, 'C=SE\nO=Testbank A AB (publ)\nserialNumber=5566304928\nname=Test av BankID\nCN=FP Testcert Brygga');

    const pfx = readFileSync(sim.rpP12File);
    assert.doesNotThrow(() => createSecureContext({ pfx, passphrase: 'qwerty123' }));
    assert.throws(() => createSecureContext({ pfx, passphrase: 'wrong' }));
    const aes256Cbc = Buffer.from(forge.asn1.oidToDer('2.16.840.1.101.3.4.1.42').getBytes(), 'binary');
    assert.ok(pfx.includes(aes256Cbc), 'modern PKCS#12: AES-256-CBC');

    const chain = ['user-root-ca', 'user-bank-ca', 'user-customer-ca'].map((f) => cert(join('nested', `${f}.pem`)));
    assert.match(chain[0]!.subject, /CN=Test BankID Root CA v1 Test/);
    assert.ok(chain[1]!.checkIssued(chain[0]!) && chain[2]!.checkIssued(chain[1]!));
    assert.ok(cert(join('nested', 'user-ocsp.pem')).checkIssued(chain[2]!));
  });
});

test('a restart reuses the files, and the old RP certificate still works', async () => {
  const before = files('ca.pem', 'rp.p12', 'rp-ca.pem', 'user-root-ca.pem', 'server.pem');
  await withSimulator('qwerty123', async (sim) => {
    assert.deepEqual(files('ca.pem', 'rp.p12', 'rp-ca.pem', 'user-root-ca.pem', 'server.pem'), before);
    assert.equal((await rpCall(sim, 'auth', { endUserIp: '127.0.0.1' })).status, 200);
  });
});

test('a corrupt file has its group issued again; the other groups stay', async () => {
  const before = files('ca.pem', 'rp.p12', 'user-root-ca.pem');
  writeFileSync(join(dir, 'nested', 'server.key'), 'not a key');
  unlinkSync(join(dir, 'nested', 'user-ocsp.pem'));
  await withSimulator('qwerty123', async (sim) => {
    const after = files('ca.pem', 'rp.p12', 'user-root-ca.pem');
    assert.notEqual(after['ca.pem'], before['ca.pem'], 'server group issued again');
    assert.notEqual(after['user-root-ca.pem'], before['user-root-ca.pem'], 'user PKI issued again');
    assert.equal(after['rp.p12'], before['rp.p12'], 'the RP certificate stays');
    assert.equal((await rpCall(sim, 'auth', { endUserIp: '127.0.0.1' })).status, 200, 'clients pin the new ca.pem');
  });
});

test('a missing rp.p12, or a new passphrase, rewrites the PKCS#12 around the same certificate', async () => {
  const rpBefore = files('rp.pem')['rp.pem'];
  unlinkSync(join(dir, 'nested', 'rp.p12'));
  await withSimulator('n3w-passphrase', async (sim) => {
    assert.equal(files('rp.pem')['rp.pem'], rpBefore);
    assert.equal(sim.rpP12Passphrase, 'n3w-passphrase');
    assert.doesNotThrow(() => createSecureContext({ pfx: readFileSync(sim.rpP12File), passphrase: 'n3w-passphrase' }));
    assert.equal((await rpCall(sim, 'auth', { endUserIp: '127.0.0.1' })).status, 200);
  });
  await withSimulator('qwerty123', async (sim) => {
    assert.doesNotThrow(() => createSecureContext({ pfx: readFileSync(sim.rpP12File), passphrase: 'qwerty123' }));
  });
});
