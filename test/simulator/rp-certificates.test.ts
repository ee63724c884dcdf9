/** Which RP certificate made an order, and certificates that chain to the RP CA but BankID does not accept. */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, beforeEach, test } from 'node:test';
import { ensureCertificates } from '../../src/simulator/certs.ts';
import { createCertificate } from '../../src/simulator/pki.ts';
import { collect, control, rpCall, startOrder, startTestSimulator, type ClientCertificate, type TestSimulator } from './support.ts';

let t: TestSimulator;
let own: string;
let other: ClientCertificate;
let otherFingerprint: string;

/** The form order summaries and RpCertificate.fingerprint use: lower-case hex, no colons. */
const fingerprintOf = (pem: string) => new X509Certificate(pem).fingerprint256.replaceAll(':', '').toLowerCase();

before(async () => {
  t = await startTestSimulator();
  const certs = ensureCertificates(t.dir, t.sim.rpP12Passphrase);
  own = fingerprintOf(certs.rp.certPem);
  const otherRp = createCertificate({ subject: { C: 'SE', O: 'Annan Bank AB', name: 'Annan tjänst', CN: 'FP Other' }, issuer: certs.rpCa, extKeyUsage: ['clientAuth'] });
  other = { cert: otherRp.certPem, key: otherRp.keyPem };
  otherFingerprint = fingerprintOf(otherRp.certPem);
});
beforeEach(async () => { assert.equal((await control(t.sim, 'DELETE', '/sim/rp-certificates')).status, 200); });
after(async () => { await t.close(); });

const authAs = (client?: ClientCertificate) => rpCall(t.sim, 'auth', { endUserIp: '127.0.0.1' }, client ? { client } : {});

test('each order records the fingerprint of the certificate that created it', async () => {
  const mine = await startOrder(t.sim, 'auth');
  const theirs = await authAs(other);
  assert.equal(theirs.status, 200);
  const summary = async (orderRef: string) => (await control(t.sim, 'GET', `/sim/orders/${orderRef}`)).json;
  assert.deepEqual([(await summary(mine.orderRef)).rpCertificate, (await summary(mine.orderRef)).rpDisplayName], [own, 'Test av BankID']);
  assert.deepEqual([(await summary(theirs.json.orderRef)).rpCertificate, (await summary(theirs.json.orderRef)).rpDisplayName], [otherFingerprint, 'Annan tjänst']);
  assert.notEqual(own, otherFingerprint);
});

test('an unregistered certificate gets 403 unauthorized, a revoked one 401, on every call; others are unaffected', async () => {
  const before = (await authAs(other)).json.orderRef as string;
  const cases = [
    // Colons and upper case are accepted, as fingerprints are often written.
    { fingerprint: otherFingerprint.toUpperCase().match(/../g)!.join(':'), status: 'unregistered', http: 403, details: 'The RP certificate is not registered' },
    { fingerprint: otherFingerprint, status: 'revoked', http: 401, details: 'The RP certificate is revoked' },
  ];
  for (const c of cases) {
    const marked = await control(t.sim, 'POST', `/sim/rp-certificates/${c.fingerprint}`, { status: c.status });
    assert.deepEqual(marked.json, { fingerprint: otherFingerprint, status: c.status });
    assert.deepEqual((await control(t.sim, 'GET', '/sim/rp-certificates')).json, { certificates: [{ fingerprint: otherFingerprint, status: c.status }] });
    for (const reply of [await authAs(other), await collect(t.sim, before, other)]) {
      assert.equal(reply.status, c.http);
      assert.deepEqual(reply.json, { errorCode: 'unauthorized', details: c.details });
    }
    assert.equal((await authAs()).status, 200, 'the simulator\'s own certificate still works');
  }
  await control(t.sim, 'POST', `/sim/rp-certificates/${otherFingerprint}`, { status: 'registered' });
  assert.deepEqual((await control(t.sim, 'GET', '/sim/rp-certificates')).json, { certificates: [] });
  assert.deepEqual((await collect(t.sim, before, other)).json, { orderRef: before, status: 'pending', hintCode: 'outstandingTransaction' });
});
