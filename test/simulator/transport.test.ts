import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createCertificate } from '../../src/simulator/pki.ts';
import { control, rpCall, startTestSimulator, type TestSimulator } from './support.ts';

let t: TestSimulator;
before(async () => { t = await startTestSimulator(); });
after(async () => { await t.close(); });

test('apiUrl and controlUrl have the documented shapes', () => {
  assert.match(t.sim.apiUrl, /^https:\/\/localhost:\d+\/rp\/v6\.0\/$/);
  assert.match(t.sim.controlUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
});

test('a client with the RP certificate gets through, verifying the server against the pinned CA', async () => {
  const reply = await rpCall(t.sim, 'auth', { endUserIp: '127.0.0.1' });
  assert.equal(reply.status, 200);
  assert.match(reply.json.orderRef, /^[0-9a-f-]{36}$/);
});

test('the handshake fails without a client certificate', async () => {
  await assert.rejects(rpCall(t.sim, 'auth', { endUserIp: '127.0.0.1' }, { client: null }), (error: NodeJS.ErrnoException) => {
    assert.match(String(error.code), /CERTIFICATE_REQUIRED|ECONNRESET/);
    return true;
  });
});

test('the handshake fails with a certificate from another CA', async () => {
  const otherCa = createCertificate({ subject: { CN: 'Some other RP CA' }, ca: true });
  const stranger = createCertificate({ subject: { CN: 'FP Stranger', name: 'Stranger' }, issuer: otherCa, extKeyUsage: ['clientAuth'] });
  const before = (await control(t.sim, 'GET', '/sim/orders')).json.orders.length;
  await assert.rejects(rpCall(t.sim, 'auth', { endUserIp: '127.0.0.1' }, { client: { cert: stranger.certPem + otherCa.certPem, key: stranger.keyPem } }), (error: NodeJS.ErrnoException) => {
    assert.match(String(error.code), /ECONNRESET|ALERT/);
    return true;
  });
  assert.equal((await control(t.sim, 'GET', '/sim/orders')).json.orders.length, before, 'no order was created');
});

test('HTTP errors carry BankID\'s status and {errorCode, details} body', async (s) => {
  const cases: { name: string; path: string; method?: string; contentType?: string | null; raw?: string | Buffer; status: number; errorCode: string }[] = [
    { name: 'unknown path', path: 'identify', status: 404, errorCode: 'notFound' },
    { name: 'outside the API prefix', path: '/rp/v5.1/auth', status: 404, errorCode: 'notFound' },
    { name: 'GET probe of auth', path: 'auth', method: 'GET', raw: '', contentType: null, status: 405, errorCode: 'methodNotAllowed' },
    { name: 'PUT collect', path: 'collect', method: 'PUT', status: 405, errorCode: 'methodNotAllowed' },
    { name: 'charset parameter', path: 'auth', contentType: 'application/json; charset=utf-8', status: 415, errorCode: 'unsupportedMediaType' },
    { name: 'text/plain', path: 'auth', contentType: 'text/plain', status: 415, errorCode: 'unsupportedMediaType' },
    { name: 'no Content-Type', path: 'collect', contentType: null, status: 415, errorCode: 'unsupportedMediaType' },
    { name: 'not JSON', path: 'auth', raw: '{"endUserIp":', status: 400, errorCode: 'invalidParameters' },
    { name: 'a JSON array', path: 'collect', raw: '[]', status: 400, errorCode: 'invalidParameters' },
    { name: 'a JSON string', path: 'cancel', raw: '"x"', status: 400, errorCode: 'invalidParameters' },
    { name: 'body over 1 MB', path: 'sign', raw: JSON.stringify({ endUserIp: '127.0.0.1', userVisibleData: 'a'.repeat(1024 * 1024) }), status: 400, errorCode: 'invalidParameters' },
  ];
  for (const c of cases) {
    await s.test(c.name, async () => {
      const reply = await rpCall(t.sim, c.path, {}, { method: c.method, contentType: c.contentType, raw: c.raw });
      assert.equal(reply.status, c.status);
      assert.equal(reply.json.errorCode, c.errorCode);
      assert.equal(typeof reply.json.details, 'string');
      assert.deepEqual(Object.keys(reply.json).sort(), ['details', 'errorCode']);
      if (c.status === 405) assert.equal(reply.headers.allow, 'POST');
    });
  }
});

test('unknown JSON fields are ignored', async () => {
  const reply = await rpCall(t.sim, 'auth', { endUserIp: '127.0.0.1', futureField: { nested: true }, requirement: { futureRequirement: 1 } });
  assert.equal(reply.status, 200);
});

test('auth, sign and payment return four UUIDs; phone orders only an orderRef', async () => {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const auth = await rpCall(t.sim, 'auth', { endUserIp: '::1' });
  assert.deepEqual(Object.keys(auth.json).sort(), ['autoStartToken', 'orderRef', 'qrStartSecret', 'qrStartToken']);
  for (const value of Object.values(auth.json)) assert.match(value as string, uuid);
  assert.equal(new Set(Object.values(auth.json)).size, 4);
  const phone = await rpCall(t.sim, 'phone/auth', { personalNumber: '191212121212', callInitiator: 'RP' });
  assert.equal(phone.status, 200);
  assert.deepEqual(Object.keys(phone.json), ['orderRef']);
});
