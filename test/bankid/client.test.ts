import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { test } from 'node:test';
import { loadRpCertificate } from '../../src/bankid/certificate.ts';
import { BankIdClient } from '../../src/bankid/client.ts';
import {
  BankIdConnectionError, BankIdError, BankIdGatewayError, BankIdRequestError, BankIdTimeoutError, BankIdTransportError, MaintenanceError,
  UnknownBankIdError, type RequestProblem,
} from '../../src/bankid/errors.ts';
import { isTransient } from '../../src/bankid/transient.ts';
import type { AuthRequest } from '../../src/bankid/types.ts';
import { CLIENT_SETTINGS, collectLog, createCa, createRpCertificate, createServerCertificate, ERROR_CASES } from './fixtures.ts';
import { startFakeBankId } from './fake-bankid.ts';
import { certificate, rp, rpCa, serverCa, useFakeBankId } from './fake-suite.ts';
import { completionData } from '../helpers/completion.ts';

const rpFingerprint = new X509Certificate(rp.certPem).fingerprint256;

const ORDER = {
  orderRef: '131daac9-16c6-4618-beb0-365768f37288',
  autoStartToken: '7c40b5c9-fa74-49cf-b98c-bfe651f9a7c6',
  qrStartToken: '67df3917-fa0d-44e5-b327-edcc928297f8',
  qrStartSecret: 'd28db9a7-4cde-429e-a983-359be676944c',
};
const PNR = '199908072391';
const COMPLETION = completionData();

const { client, fake } = useFakeBankId();

const AUTH: AuthRequest = { endUserIp: '192.0.2.10' };

function decode(value: unknown): string {
  return Buffer.from(String(value), 'base64').toString('utf8');
}

test('auth: POST to auth with exactly application/json, texts in base64, user agent cut to 256, the RP certificate presented', async () => {
  fake().reply = () => ({ body: ORDER });
  const userAgent = `Mozilla/5.0 ${'x'.repeat(400)}`;
  const order = await client().auth({
    endUserIp: '2001:db8::1',
    userVisibleData: 'Logga in på Brygga ✓',
    userVisibleDataFormat: 'simpleMarkdownV1',
    userNonVisibleData: new Uint8Array([0, 1, 2, 255]),
    returnUrl: 'https://login.example.se/return#nonce=1',
    returnRisk: true,
    web: { referringDomain: 'login.example.se', userAgent, deviceIdentifier: 'f1e2d3' },
  });
  assert.deepEqual(order, ORDER);
  const [seen] = fake().seen;
  assert.equal(fake().seen.length, 1);
  assert.equal(seen!.method, 'POST');
  assert.equal(seen!.path, '/rp/v6.0/auth');
  assert.equal(seen!.contentType, 'application/json');
  assert.equal(seen!.clientFingerprint, rpFingerprint);
  assert.deepEqual(Object.keys(seen!.json).sort(), ['endUserIp', 'returnRisk', 'returnUrl', 'userNonVisibleData', 'userVisibleData', 'userVisibleDataFormat', 'web']);
  assert.equal(decode(seen!.json.userVisibleData), 'Logga in på Brygga ✓');
  assert.equal(seen!.json.userNonVisibleData, 'AAEC/w==');
  assert.equal(seen!.json.userVisibleDataFormat, 'simpleMarkdownV1');
  const web = seen!.json.web as Record<string, string>;
  assert.equal(web.userAgent, userAgent.slice(0, 256));
  assert.equal(web.referringDomain, 'login.example.se');
});

test('sign, payment and the phone endpoints go to their paths with their fields; requirement only when given', async () => {
  fake().reply = (request) => ({ body: request.path.includes('phone') ? { orderRef: ORDER.orderRef, extra: 1 } : ORDER });
  const api = client();
  await api.sign({ endUserIp: '192.0.2.10', userVisibleData: 'Jag godkänner', requirement: { pinCode: true, mrtd: true } });
  await api.payment({
    endUserIp: '192.0.2.10',
    userVisibleTransaction: { transactionType: 'card', recipient: { name: 'Butiken' }, money: { amount: '100,00', currency: 'SEK' } },
    riskFlags: ['newCard'],
  });
  assert.deepEqual(await api.phoneAuth({ personalNumber: PNR, callInitiator: 'RP' }), { orderRef: ORDER.orderRef });
  await api.phoneSign({ personalNumber: PNR, callInitiator: 'user', userVisibleData: 'Avtal', requirement: { pinCode: true } });
  assert.deepEqual(fake().seen.map((s) => s.path), ['/rp/v6.0/sign', '/rp/v6.0/payment', '/rp/v6.0/phone/auth', '/rp/v6.0/phone/sign']);
  const [sign, payment, phoneAuth, phoneSign] = fake().seen.map((s) => s.json);
  assert.deepEqual(sign!.requirement, { pinCode: true, mrtd: true });
  assert.equal(decode(sign!.userVisibleData), 'Jag godkänner');
  assert.deepEqual(payment!.userVisibleTransaction, { transactionType: 'card', recipient: { name: 'Butiken' }, money: { amount: '100,00', currency: 'SEK' } });
  assert.deepEqual(payment!.riskFlags, ['newCard']);
  assert.ok(!('requirement' in payment!));
  assert.deepEqual(phoneAuth, { personalNumber: PNR, callInitiator: 'RP' });
  assert.deepEqual(Object.keys(phoneSign!).sort(), ['callInitiator', 'personalNumber', 'requirement', 'userVisibleData']);
});

test('collect keeps unknown hint codes, drops unknown fields; cancel posts the orderRef and resolves empty', async () => {
  const answers = [
    { orderRef: ORDER.orderRef, status: 'pending', hintCode: 'brandNewHint', callInitiator: 'RP' },
    { orderRef: ORDER.orderRef, status: 'failed', hintCode: 'userCancel' },
    { orderRef: ORDER.orderRef, status: 'complete', completionData: { ...COMPLETION, futureField: { a: 1 }, setUp: true }, newTopLevel: 'x' },
  ];
  let next = 0;
  fake().reply = (request) => ({ body: request.path.endsWith('cancel') ? {} : answers[next++] });
  const api = client();
  assert.deepEqual(await api.collect(ORDER.orderRef), { orderRef: ORDER.orderRef, status: 'pending', hintCode: 'brandNewHint' });
  assert.deepEqual(await api.collect(ORDER.orderRef), { orderRef: ORDER.orderRef, status: 'failed', hintCode: 'userCancel' });
  assert.deepEqual(await api.collect(ORDER.orderRef), { orderRef: ORDER.orderRef, status: 'complete', completionData: COMPLETION });
  assert.equal(await api.cancel(ORDER.orderRef), undefined);
  assert.deepEqual(fake().seen.map((s) => [s.path, s.json]), [
    ...answers.map(() => ['/rp/v6.0/collect', { orderRef: ORDER.orderRef }]),
    ['/rp/v6.0/cancel', { orderRef: ORDER.orderRef }],
  ]);
});

test('a success body that is not the expected shape is an UnknownBankIdError, not a crash', async () => {
  const api = client();
  fake().reply = () => ({ body: { orderRef: ORDER.orderRef } });
  await assert.rejects(api.auth(AUTH), (err: unknown) => err instanceof UnknownBankIdError && /autoStartToken/.test(err.details));
  fake().reply = () => ({ body: 'this is not json' });
  await assert.rejects(api.collect(ORDER.orderRef), UnknownBankIdError);
  fake().reply = () => ({ body: { orderRef: ORDER.orderRef, status: 'complete', completionData: { ...COMPLETION, risk: 'extreme' } } });
  await assert.rejects(api.collect(ORDER.orderRef), UnknownBankIdError);
});

test('requests BankID would refuse fail before anything is sent', async () => {
  const api = client();
  const long = (n: number) => 'a'.repeat(n);
  const web = { referringDomain: 'login.example.se', userAgent: 'UA', deviceIdentifier: 'd' };
  const app = { appIdentifier: 'se.brygga', deviceOS: 'IOS 17', deviceModelName: 'iPhone', deviceIdentifier: 'd' };
  const cases: [() => Promise<unknown>, string, RequestProblem][] = [
    // 1 125 bytes are exactly 1 500 base64 characters; one more byte goes over.
    [() => api.auth({ ...AUTH, userVisibleData: long(1126) }), 'userVisibleData', 'too-long'],
    [() => api.payment({ ...AUTH, userVisibleData: long(1126), userVisibleTransaction: { transactionType: 'npa', recipient: { name: 'x' } } }), 'userVisibleData', 'too-long'],
    [() => api.phoneAuth({ personalNumber: PNR, callInitiator: 'RP', userVisibleData: long(1126) }), 'userVisibleData', 'too-long'],
    [() => api.sign({ ...AUTH, userVisibleData: long(30_001) }), 'userVisibleData', 'too-long'],
    [() => api.phoneSign({ personalNumber: PNR, callInitiator: 'RP', userVisibleData: long(30_001) }), 'userVisibleData', 'too-long'],
    [() => api.sign({ ...AUTH, userVisibleData: undefined as unknown as string }), 'userVisibleData', 'missing'],
    [() => api.auth({ ...AUTH, userVisibleData: '' }), 'userVisibleData', 'too-short'],
    [() => api.auth({ ...AUTH, userNonVisibleData: new Uint8Array(150_001) }), 'userNonVisibleData', 'too-long'],
    [() => api.auth({ ...AUTH, returnUrl: '' }), 'returnUrl', 'too-short'],
    [() => api.auth({ ...AUTH, returnUrl: `https://x.se/${long(500)}` }), 'returnUrl', 'too-long'],
    [() => api.auth({ ...AUTH, web: { ...web, referringDomain: 'x.' } }), 'web.referringDomain', 'too-short'],
    [() => api.auth({ ...AUTH, web: { ...web, referringDomain: long(254) } }), 'web.referringDomain', 'too-long'],
    [() => api.auth({ ...AUTH, web: { ...web, deviceIdentifier: '' } }), 'web.deviceIdentifier', 'too-short'],
    [() => api.auth({ ...AUTH, web: { ...web, deviceIdentifier: long(65) } }), 'web.deviceIdentifier', 'too-long'],
    [() => api.auth({ ...AUTH, web, app }), 'web', 'exclusive'],
    [() => api.auth({ ...AUTH, requirement: { personalNumber: '9908072391' } }), 'requirement.personalNumber', 'format'],
    [() => api.phoneAuth({ personalNumber: '19990807-2391', callInitiator: 'RP' }), 'personalNumber', 'format'],
    [() => api.phoneAuth({ personalNumber: PNR, callInitiator: 'rp' as 'RP' }), 'callInitiator', 'format'],
    [() => api.auth({ endUserIp: 'localhost' }), 'endUserIp', 'format'],
    [() => api.payment({ ...AUTH, userVisibleTransaction: { transactionType: 'npa', recipient: { name: 'x' }, money: { amount: '1', currency: 'SEK' } } }), 'userVisibleTransaction.money', 'exclusive'],
    [() => api.payment({ ...AUTH, userVisibleTransaction: { transactionType: 'card', recipient: { name: 'x' }, money: { amount: '1 000.00', currency: 'SEK' } } }), 'userVisibleTransaction.money.amount', 'format'],
    [() => api.payment({ ...AUTH, userVisibleTransaction: { transactionType: 'card', recipient: { name: 'x' }, money: { amount: '1000,00', currency: 'kr' } } }), 'userVisibleTransaction.money.currency', 'format'],
    [() => api.payment({ ...AUTH, userVisibleTransaction: { transactionType: 'card', recipient: { name: ' ' } } }), 'userVisibleTransaction.recipient.name', 'missing'],
    [() => api.payment({ ...AUTH, userVisibleTransaction: { transactionType: 'card', recipient: { name: 'x' } }, riskFlags: ['unusual' as 'other'] }), 'riskFlags', 'format'],
  ];
  for (const [call, field, reason] of cases) {
    await assert.rejects(call(), (err: unknown) => {
      assert.ok(err instanceof BankIdRequestError, String(err));
      // Our own mistake: never a transport problem, never worth a retry.
      assert.ok(!(err instanceof BankIdTransportError) && !isTransient(err));
      assert.equal(err.field, field, err.message);
      assert.equal(err.reason, reason, err.message);
      assert.match(err.message, new RegExp(field.replaceAll('.', '\\.')));
      return true;
    });
  }
  assert.equal(fake().seen.length, 0);
  // The limits themselves are allowed.
  fake().reply = () => ({ body: ORDER });
  await api.auth({ ...AUTH, userVisibleData: long(1125), userNonVisibleData: new Uint8Array(150_000), returnUrl: `https://x.se/${long(499)}` });
  await api.sign({ ...AUTH, userVisibleData: long(30_000), web: { ...web, referringDomain: long(253), deviceIdentifier: long(64) } });
  assert.equal(String(fake().seen[0]!.json.userVisibleData).length, 1500);
  assert.equal(String(fake().seen[1]!.json.userVisibleData).length, 40_000);
});

test('every error code maps to its error class with status and details', async () => {
  const api = client({ maintenanceRetries: 0 });
  for (const [status, errorCode, type] of ERROR_CASES) {
    fake().reply = () => ({ status, body: { errorCode, details: `details of ${errorCode}`, extra: true } });
    await assert.rejects(api.collect(ORDER.orderRef), (err: unknown) => {
      assert.ok(err instanceof type, `${errorCode}: ${String(err)}`);
      assert.ok(err instanceof BankIdError);
      assert.equal(err.status, status);
      assert.equal(err.errorCode, errorCode);
      assert.equal(err.details, `details of ${errorCode}`);
      assert.equal(err.name, type.name);
      return true;
    });
  }
  fake().reply = () => ({ status: 400, body: '<html>Bad request</html>' });
  await assert.rejects(api.auth(AUTH), (err: unknown) => {
    assert.ok(err instanceof UnknownBankIdError);
    assert.equal(err.status, 400);
    assert.equal(err.errorCode, 'unknown');
    assert.match(err.details, /Bad request/);
    return true;
  });
});

test('a 5xx without BankID\'s error body came from something in between: a BankIdGatewayError, not a BankIdError', async () => {
  for (const body of ['<html>Bad gateway</html>', '']) {
    fake().reply = () => ({ status: 502, body });
    await assert.rejects(client().collect(ORDER.orderRef), (err: unknown) => {
      assert.ok(err instanceof BankIdGatewayError && err instanceof BankIdTransportError, String(err));
      assert.equal(err.status, 502);
      assert.equal(err.message, `BankID's address answered 502 without an errorCode${body ? `: ${body}` : ''}`);
      return true;
    });
  }
  assert.equal(fake().seen.length, 2, 'not replayed');
});

test('maintenance is retried with backoff, then succeeds', async () => {
  let failures = 2;
  fake().reply = () => (failures-- > 0 ? { status: 503, body: { errorCode: 'maintenance', details: '' } } : { body: ORDER });
  const delays: number[] = [];
  const order = await client({ maintenanceRetries: 3, retryDelayMs: (attempt) => { delays.push(attempt); return 1; } }).auth(AUTH);
  assert.deepEqual(order, ORDER);
  assert.equal(fake().seen.length, 3);
  assert.deepEqual(delays, [1, 2]);
});

test('maintenance retried maintenanceRetries times, then MaintenanceError', async () => {
  fake().reply = () => ({ status: 503, body: { errorCode: 'maintenance', details: 'Service unavailable' } });
  await assert.rejects(client({ maintenanceRetries: 2 }).auth(AUTH), MaintenanceError);
  assert.equal(fake().seen.length, 3);
});

test('the default backoff grows by a second per retry, waited through the injected sleep', async () => {
  fake().reply = () => ({ status: 503, body: { errorCode: 'maintenance', details: '' } });
  const waits: number[] = [];
  const api = new BankIdClient({
    baseUrl: fake().baseUrl, certificate, caPem: serverCa.certPem, ...CLIENT_SETTINGS, sleep: async (ms) => { waits.push(ms); },
  });
  await assert.rejects(api.collect(ORDER.orderRef), MaintenanceError);
  assert.deepEqual(waits, [1000, 2000, 3000]);
  assert.equal(fake().seen.length, CLIENT_SETTINGS.maintenanceRetries + 1);
});

test('internalError, requestTimeout, alreadyInProgress and invalidParameters are never retried', async () => {
  const rows: [number, string][] = [[500, 'internalError'], [408, 'requestTimeout'], [400, 'alreadyInProgress'], [400, 'invalidParameters']];
  for (const [status, errorCode] of rows) {
    fake().seen.length = 0;
    fake().reply = () => ({ status, body: { errorCode, details: '' } });
    await assert.rejects(client({ maintenanceRetries: 3 }).auth(AUTH), (err: unknown) => err instanceof BankIdError && err.errorCode === errorCode);
    await assert.rejects(client({ maintenanceRetries: 3 }).collect(ORDER.orderRef), BankIdError);
    assert.equal(fake().seen.length, 2, errorCode);
  }
});

test('no answer, or no body, within timeoutMs is a BankIdTimeoutError, and is not replayed', async () => {
  // Attempts are counted from the client's own log: under load the timeout may even fire before BankID has the request.
  const log = collectLog('debug');
  fake().reply = () => ({ hold: true });
  await assert.rejects(client({ timeoutMs: 100, logger: log.logger }).auth(AUTH), BankIdTimeoutError);
  fake().reply = () => ({ stallBody: true });
  await assert.rejects(client({ timeoutMs: 100, logger: log.logger }).collect(ORDER.orderRef), BankIdTimeoutError);
  assert.deepEqual(log.lines().map((l) => [l.endpoint, l.msg]), [['auth', 'bankid call failed'], ['collect', 'bankid call failed']]);
});

test('a dropped connection fails an order start once, but collect and cancel are replayed once', async () => {
  fake().reply = () => ({ hangUp: true });
  await assert.rejects(client().auth(AUTH), BankIdConnectionError);
  assert.equal(fake().seen.length, 1);

  let drops = 1;
  fake().reply = () => (drops-- > 0 ? { hangUp: true } : { body: { orderRef: ORDER.orderRef, status: 'pending', hintCode: 'userSign' } });
  assert.equal((await client().collect(ORDER.orderRef)).status, 'pending');
  assert.equal(fake().seen.length, 3);

  fake().reply = () => ({ hangUp: true });
  await assert.rejects(client().cancel(ORDER.orderRef), BankIdTransportError);
  assert.equal(fake().seen.length, 5);
});

test('a server certificate from another CA is refused before any request', async () => {
  const otherCa = createCa('Somebody else');
  const impostor = await startFakeBankId({ server: createServerCertificate(otherCa), clientCa: rpCa });
  try {
    const api = new BankIdClient({ baseUrl: impostor.baseUrl, certificate, caPem: serverCa.certPem, ...CLIENT_SETTINGS });
    await assert.rejects(api.auth(AUTH), (err: unknown) => err instanceof BankIdConnectionError && /certificate/i.test(err.message));
    assert.equal(impostor.seen.length, 0);
  } finally {
    await impostor.close();
  }
});

test('a server certificate for another host name is refused', async () => {
  const misnamed = await startFakeBankId({ server: createServerCertificate(serverCa, { dnsNames: ['appapi2.bankid.invalid'], ipAddresses: [] }), clientCa: rpCa });
  try {
    const api = new BankIdClient({ baseUrl: misnamed.baseUrl, certificate, caPem: serverCa.certPem, ...CLIENT_SETTINGS });
    await assert.rejects(api.collect(ORDER.orderRef), (err: unknown) => err instanceof BankIdConnectionError && /not in the cert's list|altnames/i.test(err.message));
    assert.equal(misnamed.seen.length, 0);
  } finally {
    await misnamed.close();
  }
});

test('calls are logged at debug with endpoint, status and duration, never with personal numbers or secrets', async () => {
  fake().reply = (request) => ({ body: request.path.endsWith('phone/auth') ? { orderRef: ORDER.orderRef } : ORDER });
  const log = collectLog('debug');
  const api = client({ logger: log.logger });
  await api.phoneAuth({ personalNumber: PNR, callInitiator: 'user' });
  await api.auth({ ...AUTH, requirement: { personalNumber: PNR } });
  const lines = log.lines();
  assert.deepEqual(lines.map((l) => [l.level, l.endpoint, l.status]), [[20, 'phone/auth', 200], [20, 'auth', 200]]);
  assert.ok(lines.every((l) => typeof l.durationMs === 'number'));
  const text = JSON.stringify(lines);
  for (const secret of [PNR, ORDER.qrStartSecret, ORDER.autoStartToken, ORDER.qrStartToken]) assert.ok(!text.includes(secret), secret);
});

test('BankID refuses a client whose RP certificate it does not trust', async () => {
  const strangerCa = createCa('Unknown RP CA');
  const stranger = createRpCertificate(strangerCa);
  const api = client({ certificate: loadRpCertificate({ certPem: stranger.certPem, keyPem: stranger.keyPem }) });
  await assert.rejects(api.auth(AUTH), BankIdConnectionError);
  assert.equal(fake().seen.length, 0);
});
