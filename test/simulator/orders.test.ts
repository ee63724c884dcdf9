import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { qrData } from '../../src/bankid/qr.ts';
import { ensureCertificates } from '../../src/simulator/certs.ts';
import { createCertificate } from '../../src/simulator/pki.ts';
import { base64, collect, control, rpCall, startOrder, startTestSimulator, type ClientCertificate, type TestSimulator } from './support.ts';

let t: TestSimulator;
before(async () => { t = await startTestSimulator({ startTimeoutS: 30, orderTtlS: 180 }); });
after(async () => { await t.close(); });

const qrAt = (order: Record<string, string>, seconds: number) => qrData(order.qrStartToken!, order.qrStartSecret!, seconds);

async function hints(orderRef: string, times: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < times; i++) seen.push((await collect(t.sim, orderRef)).json.hintCode);
  return seen;
}

async function expectFailed(orderRef: string, hintCode: string): Promise<void> {
  const reply = await collect(t.sim, orderRef);
  assert.equal(reply.status, 200, JSON.stringify(reply.json));
  assert.deepEqual(reply.json, { orderRef, status: 'failed', hintCode });
}

test('QR path: outstandingTransaction, a fresh scan, userSign, complete; a second final collect is refused', async () => {
  const order = await startOrder(t.sim, 'auth');
  assert.deepEqual(await hints(order.orderRef, 2), ['outstandingTransaction', 'outstandingTransaction']);
  t.clock.advance(3_000);
  const scanned = await control(t.sim, 'POST', '/sim/app/scan', { qr: qrAt(order, 3) });
  assert.equal(scanned.status, 200, JSON.stringify(scanned.json));
  assert.equal(scanned.json.hintCode, 'userSign');
  assert.equal(scanned.json.startMethod, 'qr');
  assert.equal(scanned.json.qr, undefined, 'no QR once scanned');
  assert.deepEqual(await hints(order.orderRef, 1), ['userSign']);
  const approved = await control(t.sim, 'POST', `/sim/orders/${order.orderRef}/approve`, {});
  assert.equal(approved.json.status, 'complete');
  const done = await collect(t.sim, order.orderRef);
  assert.equal(done.json.status, 'complete');
  assert.equal(done.json.hintCode, undefined);
  assert.equal(done.json.completionData.user.personalNumber, '199908072391');
  assert.equal(done.json.completionData.user.name, 'Tolvan Tolvansson');
  const again = await collect(t.sim, order.orderRef);
  assert.equal(again.status, 400);
  assert.equal(again.json.errorCode, 'invalidParameters');
});

test('a QR frame is accepted within 2 seconds of the order\'s age, and refused when stale or early', async () => {
  const order = await startOrder(t.sim, 'sign', { userVisibleData: base64('Avtal') });
  t.clock.advance(10_500);
  assert.deepEqual((await control(t.sim, 'POST', '/sim/app/scan', { qr: qrAt(order, 7) })).json, { error: 'too old' });
  assert.deepEqual((await control(t.sim, 'POST', '/sim/app/scan', { qr: qrAt(order, 13) })).json, { error: 'not yet valid' });
  const fresh = await control(t.sim, 'POST', '/sim/app/scan', { qr: qrAt(order, 8) });
  assert.equal(fresh.status, 200);
  assert.deepEqual((await control(t.sim, 'POST', '/sim/app/scan', { qr: qrAt(order, 10) })).json, { error: 'already started' });
});

test('scans with a wrong HMAC, an unknown token or no BankID QR are refused with a reason', async () => {
  const order = await startOrder(t.sim, 'auth');
  const forged = `bankid.${order.qrStartToken}.0.${'0'.repeat(64)}`;
  const cases = [
    { qr: forged, error: 'bad code' },
    { qr: qrData(order.qrStartToken, 'not-the-secret', 0), error: 'bad code' },
    { qr: qrData('00000000-0000-4000-8000-000000000000', order.qrStartSecret, 0), error: 'unknown order' },
    { qr: 'https://app.bankid.com/?autostarttoken=x', error: 'not a BankID QR code' },
  ];
  for (const c of cases) {
    const reply = await control(t.sim, 'POST', '/sim/app/scan', { qr: c.qr });
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.json, { error: c.error });
  }
  assert.deepEqual(await hints(order.orderRef, 1), ['outstandingTransaction']);
});

test('autostart: started for one collect, then userSign; the device IP is endUserIp; returnUrl comes back to the driver', async () => {
  const order = await startOrder(t.sim, 'auth', { endUserIp: '10.1.2.3', returnUrl: 'https://rp.example/back#nonce=abc' });
  const opened = await control(t.sim, 'POST', '/sim/app/open', { autoStartToken: order.autoStartToken });
  assert.equal(opened.json.hintCode, 'started');
  assert.equal(opened.json.returnUrl, 'https://rp.example/back#nonce=abc');
  assert.deepEqual(await hints(order.orderRef, 3), ['started', 'userSign', 'userSign']);
  await control(t.sim, 'POST', `/sim/orders/${order.orderRef}/approve`, {});
  const done = await collect(t.sim, order.orderRef);
  assert.equal(done.json.completionData.device.ipAddress, '10.1.2.3');
  assert.equal((await control(t.sim, 'POST', '/sim/app/open', { autoStartToken: order.autoStartToken })).json.error, 'unknown order');
});

test('an outdated app fails an order that has a returnUrl with notSupportedByUserApp, and works without one', async () => {
  const withUrl = await startOrder(t.sim, 'auth', { returnUrl: 'https://rp.example/back' });
  const reply = await control(t.sim, 'POST', '/sim/app/open', { autoStartToken: withUrl.autoStartToken, outdatedApp: true });
  assert.equal(reply.json.status, 'failed');
  await expectFailed(withUrl.orderRef, 'notSupportedByUserApp');
  const plain = await startOrder(t.sim, 'auth');
  assert.equal((await control(t.sim, 'POST', '/sim/app/open', { autoStartToken: plain.autoStartToken, outdatedApp: true })).json.hintCode, 'started');
});

test('mrtd: userMrtd after pickup, the ID step result lands in stepUp', async () => {
  const order = await startOrder(t.sim, 'auth', { requirement: { mrtd: true } });
  assert.equal((await control(t.sim, 'POST', '/sim/app/scan', { qr: qrAt(order, 0) })).json.hintCode, 'userMrtd');
  assert.deepEqual(await hints(order.orderRef, 1), ['userMrtd']);
  assert.equal((await control(t.sim, 'POST', `/sim/orders/${order.orderRef}/approve`, { personalNumber: 'x' })).status, 400);
  const stepped = await control(t.sim, 'POST', `/sim/orders/${order.orderRef}/mrtd`, { passed: false });
  assert.equal(stepped.json.hintCode, 'userSign');
  await control(t.sim, 'POST', `/sim/orders/${order.orderRef}/approve`, {});
  assert.deepEqual((await collect(t.sim, order.orderRef)).json.completionData.stepUp, { mrtd: false });

  const direct = await startOrder(t.sim, 'auth', { requirement: { mrtd: true } });
  await control(t.sim, 'POST', `/sim/orders/${direct.orderRef}/approve`, { mrtd: true });
  assert.deepEqual((await collect(t.sim, direct.orderRef)).json.completionData.stepUp, { mrtd: true });

  const without = await startOrder(t.sim, 'auth');
  await control(t.sim, 'POST', `/sim/orders/${without.orderRef}/approve`, {});
  assert.equal('stepUp' in (await collect(t.sim, without.orderRef)).json.completionData, false);
});

test('phone: outstandingTransaction, userCallConfirm, confirm, userSign, complete as the called person', async () => {
  const order = await startOrder(t.sim, 'phone/sign', { personalNumber: '191212121212', callInitiator: 'RP', userVisibleData: base64('Jag godkänner') });
  assert.deepEqual(await hints(order.orderRef, 2), ['outstandingTransaction', 'userCallConfirm']);
  assert.equal((await control(t.sim, 'POST', `/sim/orders/${order.orderRef}/confirm-call`)).json.hintCode, 'userSign');
  assert.deepEqual(await hints(order.orderRef, 1), ['userSign']);
  await control(t.sim, 'POST', `/sim/orders/${order.orderRef}/approve`, {});
  const done = await collect(t.sim, order.orderRef);
  assert.equal(done.json.completionData.user.personalNumber, '191212121212');
  assert.equal(done.json.completionData.user.givenName, 'Tolvina');
});

test('phone: the user declines the call; approving as someone else is a certificateErr', async () => {
  const declined = await startOrder(t.sim, 'phone/auth', { personalNumber: '199006242391', callInitiator: 'user' });
  await collect(t.sim, declined.orderRef);
  assert.equal((await control(t.sim, 'POST', `/sim/orders/${declined.orderRef}/decline-call`)).json.status, 'failed');
  await expectFailed(declined.orderRef, 'userDeclinedCall');

  const other = await startOrder(t.sim, 'phone/auth', { personalNumber: '198501012382', callInitiator: 'user' });
  await control(t.sim, 'POST', `/sim/orders/${other.orderRef}/approve`, { personalNumber: '199908072391' });
  await expectFailed(other.orderRef, 'certificateErr');
});

test('the user cancels in the app: failed/userCancel', async () => {
  const order = await startOrder(t.sim, 'auth');
  await control(t.sim, 'POST', '/sim/app/scan', { qr: qrAt(order, 0) });
  assert.equal((await control(t.sim, 'POST', `/sim/orders/${order.orderRef}/cancel`)).json.hintCode, 'userCancel');
  await expectFailed(order.orderRef, 'userCancel');
});

test('startFailed when nobody picks the order up within startTimeoutS; a picked-up order keeps going', async () => {
  const idle = await startOrder(t.sim, 'auth');
  const scanned = await startOrder(t.sim, 'auth');
  await control(t.sim, 'POST', '/sim/app/scan', { qr: qrAt(scanned, 0) });
  t.clock.advance(29_000);
  assert.deepEqual(await hints(idle.orderRef, 1), ['outstandingTransaction']);
  t.clock.advance(1_000);
  await expectFailed(idle.orderRef, 'startFailed');
  assert.deepEqual(await hints(scanned.orderRef, 1), ['userSign']);
});

test('expiredTransaction when the order is older than orderTtlS', async () => {
  const order = await startOrder(t.sim, 'auth');
  await control(t.sim, 'POST', '/sim/app/scan', { qr: qrAt(order, 0) });
  t.clock.advance(180_000);
  await expectFailed(order.orderRef, 'expiredTransaction');
  assert.equal((await control(t.sim, 'POST', `/sim/orders/${order.orderRef}/approve`, {})).json.error, 'order is failed');
});

test('complete is collectable for 3 minutes, failed for 5; then the order is gone', async () => {
  const complete = await startOrder(t.sim, 'auth');
  await control(t.sim, 'POST', `/sim/orders/${complete.orderRef}/approve`, {});
  const failed = await startOrder(t.sim, 'auth');
  await control(t.sim, 'POST', `/sim/orders/${failed.orderRef}/cancel`);
  t.clock.advance(3 * 60_000 + 1);
  assert.deepEqual((await collect(t.sim, complete.orderRef)).json, { errorCode: 'invalidParameters', details: 'No such order' });
  assert.equal((await collect(t.sim, failed.orderRef)).json.hintCode, 'userCancel');
  const late = await startOrder(t.sim, 'auth');
  await control(t.sim, 'POST', `/sim/orders/${late.orderRef}/cancel`);
  t.clock.advance(5 * 60_000 + 1);
  assert.equal((await collect(t.sim, late.orderRef)).status, 400);
  assert.equal((await control(t.sim, 'GET', `/sim/orders/${late.orderRef}`)).status, 404);
});

test('RP cancel: {} for a pending order, then collect and a second cancel are invalidParameters', async () => {
  const order = await startOrder(t.sim, 'auth');
  const cancelled = await rpCall(t.sim, 'cancel', { orderRef: order.orderRef });
  assert.equal(cancelled.status, 200);
  assert.deepEqual(cancelled.json, {});
  for (const endpoint of ['collect', 'cancel']) {
    const reply = await rpCall(t.sim, endpoint, { orderRef: order.orderRef });
    assert.equal(reply.status, 400);
    assert.equal(reply.json.errorCode, 'invalidParameters');
  }
  const finished = await startOrder(t.sim, 'auth');
  await control(t.sim, 'POST', `/sim/orders/${finished.orderRef}/approve`, {});
  await collect(t.sim, finished.orderRef);
  assert.equal((await rpCall(t.sim, 'cancel', { orderRef: finished.orderRef })).status, 400);
});

test('an unknown orderRef is 400 "No such order"', async () => {
  const reply = await collect(t.sim, '11111111-2222-4333-8444-555555555555');
  assert.deepEqual(reply.json, { errorCode: 'invalidParameters', details: 'No such order' });
});

test('orders are bound to the RP certificate that created them', async () => {
  const certs = ensureCertificates(t.dir, t.sim.rpP12Passphrase);
  const otherRp = createCertificate({ subject: { C: 'SE', O: 'Annan Bank AB', name: 'Annan tjänst', CN: 'FP Other' }, issuer: certs.rpCa, extKeyUsage: ['clientAuth'] });
  const client: ClientCertificate = { cert: otherRp.certPem, key: otherRp.keyPem };
  const order = await startOrder(t.sim, 'auth');
  for (const endpoint of ['collect', 'cancel']) {
    const reply = await rpCall(t.sim, endpoint, { orderRef: order.orderRef }, { client });
    assert.equal(reply.status, 400);
    assert.equal(reply.json.errorCode, 'invalidParameters');
  }
  assert.deepEqual(await hints(order.orderRef, 1), ['outstandingTransaction'], 'the order is untouched');
  const own = await rpCall(t.sim, 'auth', { endUserIp: '127.0.0.1' }, { client });
  assert.equal(own.status, 200, 'another registered RP may start its own orders');
  assert.equal((await control(t.sim, 'GET', `/sim/orders/${own.json.orderRef}`)).json.rpDisplayName, 'Annan tjänst');
});

test('alreadyInProgress: the new order is refused and the pending one is cancelled', async () => {
  const first = await startOrder(t.sim, 'auth', { requirement: { personalNumber: '200001012384' } });
  const second = await rpCall(t.sim, 'sign', { endUserIp: '127.0.0.1', userVisibleData: base64('x'), requirement: { personalNumber: '200001012384' } });
  assert.equal(second.status, 400);
  assert.equal(second.json.errorCode, 'alreadyInProgress');
  await expectFailed(first.orderRef, 'cancelled');

  const call = await startOrder(t.sim, 'phone/auth', { personalNumber: '200001012384', callInitiator: 'RP' });
  assert.equal((await rpCall(t.sim, 'phone/auth', { personalNumber: '200001012384', callInitiator: 'user' })).json.errorCode, 'alreadyInProgress');
  await expectFailed(call.orderRef, 'cancelled');
});

test('a person\'s app picking up a new order cancels their other pending order', async () => {
  const older = await startOrder(t.sim, 'auth');
  await control(t.sim, 'POST', '/sim/app/scan', { qr: qrAt(older, 0), personalNumber: '191212121212' });
  const newer = await startOrder(t.sim, 'auth');
  await control(t.sim, 'POST', `/sim/orders/${newer.orderRef}/approve`, { personalNumber: '191212121212' });
  await expectFailed(older.orderRef, 'cancelled');
  assert.equal((await collect(t.sim, newer.orderRef)).json.status, 'complete');
});

test('requirement.personalNumber: approving as another person is certificateErr, as the named one completes', async () => {
  const wrong = await startOrder(t.sim, 'auth', { requirement: { personalNumber: '199908672398' } });
  await control(t.sim, 'POST', `/sim/orders/${wrong.orderRef}/approve`, { personalNumber: '199908072391' });
  await expectFailed(wrong.orderRef, 'certificateErr');
  const right = await startOrder(t.sim, 'auth', { requirement: { personalNumber: '199908672398' } });
  await control(t.sim, 'POST', `/sim/orders/${right.orderRef}/approve`, {});
  const user = (await collect(t.sim, right.orderRef)).json.completionData.user;
  assert.deepEqual(user, { personalNumber: '199908672398', name: 'Sam Samordnad', givenName: 'Sam', surname: 'Samordnad' });
});

test('risk only with returnRisk; high risk with blockHighRisk is transactionRiskBlocked', async () => {
  const silent = await startOrder(t.sim, 'auth');
  await control(t.sim, 'POST', `/sim/orders/${silent.orderRef}/approve`, { risk: 'moderate' });
  assert.equal('risk' in (await collect(t.sim, silent.orderRef)).json.completionData, false);
  const low = await startOrder(t.sim, 'auth', { returnRisk: true });
  await control(t.sim, 'POST', `/sim/orders/${low.orderRef}/approve`, {});
  assert.equal((await collect(t.sim, low.orderRef)).json.completionData.risk, 'low');
  const high = await startOrder(t.sim, 'auth', { returnRisk: true });
  await control(t.sim, 'POST', `/sim/orders/${high.orderRef}/approve`, { risk: 'high', givenName: 'Olle', surname: 'Olsson', personalNumber: '198501012382' });
  const completion = (await collect(t.sim, high.orderRef)).json.completionData;
  assert.equal(completion.risk, 'high');
  assert.equal(completion.user.name, 'Olle Olsson');
  const blocked = await startOrder(t.sim, 'payment', { userVisibleTransaction: { transactionType: 'npa', recipient: { name: 'Butik' } } });
  await control(t.sim, 'POST', `/sim/orders/${blocked.orderRef}/approve`, { risk: 'high', blockHighRisk: true });
  await expectFailed(blocked.orderRef, 'transactionRiskBlocked');
});

test('the control API refuses bad input with {"error"}', async () => {
  const order = await startOrder(t.sim, 'auth');
  const cases: { method: string; path: string; body?: unknown; status: number; error: RegExp }[] = [
    { method: 'POST', path: `/sim/orders/${order.orderRef}/approve`, body: { personalNumber: '1999-08-07' }, status: 400, error: /personalNumber/ },
    { method: 'POST', path: `/sim/orders/${order.orderRef}/approve`, body: { risk: 'extreme' }, status: 400, error: /risk/ },
    { method: 'POST', path: '/sim/orders/nope/approve', body: {}, status: 404, error: /unknown order/ },
    { method: 'POST', path: `/sim/orders/${order.orderRef}/confirm-call`, status: 400, error: /phone/ },
    { method: 'POST', path: `/sim/orders/${order.orderRef}/mrtd`, body: {}, status: 400, error: /MRTD/ },
    { method: 'POST', path: '/sim/app/scan', body: {}, status: 400, error: /qr/ },
    { method: 'POST', path: '/sim/app/open', body: { autoStartToken: 'nope' }, status: 400, error: /unknown order/ },
    { method: 'GET', path: '/sim/app/scan', status: 405, error: /method/ },
    { method: 'GET', path: '/sim/nothing', status: 404, error: /not found/ },
  ];
  for (const c of cases) {
    const reply = await control(t.sim, c.method, c.path, c.body);
    assert.equal(reply.status, c.status, `${c.method} ${c.path}`);
    assert.match(reply.json.error, c.error);
  }
  const text = await fetch(`${t.sim.controlUrl}/sim/app/scan`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'qr', signal: AbortSignal.timeout(10_000) });
  assert.equal(text.status, 415);
});

test('GET /sim/orders lists orders oldest first with what the app needs, never the qrStartSecret', async () => {
  const web = { referringDomain: 'rp.example', userAgent: 'Mozilla/5.0', deviceIdentifier: 'device-1' };
  const order = await startOrder(t.sim, 'sign', { userVisibleData: base64('Överföring\n500 kr'), userVisibleDataFormat: 'simpleMarkdownV1', endUserIp: '10.9.8.7', returnRisk: true, web });
  const listed = (await control(t.sim, 'GET', '/sim/orders')).json.orders as Record<string, any>[];
  const summary = listed.at(-1)!;
  assert.equal(summary.orderRef, order.orderRef);
  assert.equal(summary.operation, 'sign');
  assert.equal(summary.status, 'pending');
  assert.equal(summary.hintCode, 'outstandingTransaction');
  assert.equal(summary.userVisibleData, 'Överföring\n500 kr');
  assert.deepEqual(summary.request, { endUserIp: '10.9.8.7', requirement: {}, userVisibleData: base64('Överföring\n500 kr'), userVisibleDataFormat: 'simpleMarkdownV1', returnRisk: true, web });
  assert.equal(summary.rpDisplayName, 'Test av BankID');
  assert.equal(summary.autoStartToken, order.autoStartToken);
  assert.equal(summary.qr, qrAt(order, 0));
  assert.ok(Date.parse(summary.created) > 0);
  assert.equal(JSON.stringify(listed).includes(order.qrStartSecret), false);
  assert.equal((await control(t.sim, 'POST', '/sim/app/scan', { qr: summary.qr })).status, 200, 'the listed QR scans');
});
