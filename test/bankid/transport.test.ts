/** Bounded memory in the client: answers over MAX_RESPONSE_BYTES are cut off, pools of retired certificates closed. */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { loadRpCertificate } from '../../src/bankid/certificate.ts';
import { BankIdConnectionError, BankIdResponseTooLargeError, BankIdTransportError } from '../../src/bankid/errors.ts';
import { MAX_RESPONSE_BYTES, agentFor, releaseAgent } from '../../src/bankid/transport.ts';
import { until } from '../helpers/until.ts';
import { createRpCertificate } from './fixtures.ts';
import { certificate, rp, rpCa, serverCa, useFakeBankId } from './fake-suite.ts';

const { client, fake } = useFakeBankId();
const ORDER_REF = '131daac9-16c6-4618-beb0-365768f37288';
const PENDING = { body: { orderRef: ORDER_REF, status: 'pending', hintCode: 'userSign' } };
const otherCertificate = loadRpCertificate((({ certPem, keyPem }) => ({ certPem, keyPem }))(createRpCertificate(rpCa)));

function pooledSockets(agent: ReturnType<typeof agentFor>): Socket[] {
  return [...Object.values(agent.freeSockets), ...Object.values(agent.sockets)].flat() as Socket[];
}

/** Sockets the pool could still hand out (a destroyed one leaves the pool on its close event). */
const usable = (agent: ReturnType<typeof agentFor>) => pooledSockets(agent).filter((s) => !s.destroyed).length;

test('an answer announced larger than MAX_RESPONSE_BYTES is refused from its headers, the connection closed', async () => {
  fake().reply = () => ({ oversized: { bytes: MAX_RESPONSE_BYTES + 1, declared: true } });
  await assert.rejects(client().collect(ORDER_REF), (err: unknown) => {
    assert.ok(err instanceof BankIdResponseTooLargeError && err instanceof BankIdTransportError, String(err));
    assert.match(err.message, new RegExp(`is ${MAX_RESPONSE_BYTES + 1} bytes, over the ${MAX_RESPONSE_BYTES} bytes accepted`));
    return true;
  });
  assert.equal(fake().seen.length, 1, 'not replayed');
  await fake().idle();
  assert.equal(usable(agentFor(certificate, serverCa.certPem)), 0);
});

test('an endless answer without a length is cut off after MAX_RESPONSE_BYTES, not buffered to the end', async () => {
  const bytes = 64 * MAX_RESPONSE_BYTES;
  fake().reply = () => ({ oversized: { bytes, declared: false } });
  await assert.rejects(client().auth({ endUserIp: '192.0.2.10' }), BankIdResponseTooLargeError);
  await fake().idle();
  assert.equal(usable(agentFor(certificate, serverCa.certPem)), 0);
  // The server could hand over only what the client read plus what the socket buffers hold, far from the whole.
  assert.ok(fake().written < bytes / 4, `${fake().written} bytes written of ${bytes}`);
});

test('an answer of exactly MAX_RESPONSE_BYTES is still read', async () => {
  fake().reply = () => ({ oversized: { bytes: MAX_RESPONSE_BYTES, declared: false } });
  // Spaces only: read in full, then refused as not JSON, which proves it was not cut off.
  await assert.rejects(client().collect(ORDER_REF), /the answer is not JSON/);
});

test('a kept-alive connection the server dropped is sent once more on a new connection, an order start too', async () => {
  const order = { orderRef: ORDER_REF, autoStartToken: ORDER_REF, qrStartToken: ORDER_REF, qrStartSecret: ORDER_REF };
  fake().reply = () => PENDING;
  await client().collect(ORDER_REF);
  const agent = agentFor(certificate, serverCa.certPem);
  await until(async () => Object.values(agent.freeSockets).flat().length, (n) => n === 1, 'the connection back in the pool');

  let drops = 1;
  fake().reply = () => (drops-- > 0 ? { hangUp: true } : { body: order });
  assert.equal((await client().auth({ endUserIp: '192.0.2.10' })).orderRef, ORDER_REF);
  const [first, dropped, replayed] = fake().seen.map((seen) => seen.clientPort);
  assert.equal(fake().seen.length, 3);
  assert.equal(dropped, first, 'the start met the kept-alive connection');
  assert.notEqual(replayed, first, 'and went again on a new one');

  // Once only: a new connection dropped as well is the answer.
  await until(async () => Object.values(agent.freeSockets).flat().length, (n) => n === 1, 'the new connection back in the pool');
  fake().reply = () => ({ hangUp: true });
  await assert.rejects(client().auth({ endUserIp: '192.0.2.10' }), BankIdConnectionError);
  assert.equal(fake().seen.length, 5);
});

test('one pooled agent per RP certificate and CA', () => {
  const agent = agentFor(certificate, serverCa.certPem);
  assert.equal(agentFor(certificate, serverCa.certPem), agent);
  assert.equal(agentFor(loadRpCertificate({ certPem: rp.certPem, keyPem: rp.keyPem }), serverCa.certPem), agent);
  assert.notEqual(agentFor(otherCertificate, serverCa.certPem), agent);
  assert.notEqual(agentFor(certificate, rpCa.certPem), agent);
  assert.equal(agent.options.keepAlive, true);
  assert.equal(agent.options.minVersion, 'TLSv1.2');
});

test('releaseAgent closes a retired certificate\'s pools and sockets; the next call opens a new pool', async () => {
  fake().reply = () => PENDING;
  const api = client();
  await api.collect(ORDER_REF);
  await client({ certificate: otherCertificate }).collect(ORDER_REF);
  const retired = agentFor(certificate, serverCa.certPem);
  const kept = agentFor(otherCertificate, serverCa.certPem);
  const [retiredSocket] = pooledSockets(retired);
  const [keptSocket] = pooledSockets(kept);
  assert.ok(retiredSocket && keptSocket, 'both keep a connection alive');
  assert.equal(fake().open(), 2);

  assert.equal(releaseAgent(certificate), 1);
  assert.equal(retiredSocket.destroyed, true);
  assert.equal(keptSocket.destroyed, false, 'other certificates keep their pools');
  assert.equal(releaseAgent(certificate), 0, 'nothing left to release');

  assert.equal((await api.collect(ORDER_REF)).status, 'pending');
  const fresh = agentFor(certificate, serverCa.certPem);
  assert.notEqual(fresh, retired);
  assert.equal(usable(fresh), 1);
  assert.equal(pooledSockets(kept)[0], keptSocket);
});
