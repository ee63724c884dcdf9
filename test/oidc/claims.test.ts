import assert from 'node:assert/strict';
import { test } from 'node:test';
import { birthdateFromPersonalNumber, BRYGGA, claimsFromCompletion, normaliseName, OIDC_SE } from '../../src/oidc/claims.ts';
import { accountIdFor, pairwiseSubject } from '../../src/oidc/subject.ts';
import { messageFor, parseUserMessage, UserMessageError } from '../../src/oidc/user-message.ts';
import { negotiateLocale } from '../../src/i18n/texts.ts';
import { completionData } from '../helpers/completion.ts';

const completion = (personalNumber: string, names: [string, string, string]) =>
  completionData({ personalNumber, name: names[0], givenName: names[1], surname: names[2] });

test('birthdate comes from the personal number, coordination numbers included', () => {
  assert.equal(birthdateFromPersonalNumber('199908072391'), '1999-08-07');
  assert.equal(birthdateFromPersonalNumber('199908672398'), '1999-08-07');
  assert.equal(birthdateFromPersonalNumber('200002292380'), '2000-02-29');
  assert.equal(birthdateFromPersonalNumber('199902302380'), undefined);
  assert.equal(birthdateFromPersonalNumber('1999'), undefined);
});

test('names in capitals are shown as names are written; others are left alone', () => {
  assert.equal(normaliseName('ANNA-KARIN ÖSTERLUND'), 'Anna-Karin Österlund');
  assert.equal(normaliseName('Karl von Essen'), 'Karl von Essen');
  assert.equal(normaliseName('ÅSA'), 'Åsa');
});

test('completion data maps to the oidc.se claims, a coordination number to its own claim', () => {
  const claims = claimsFromCompletion(completion('199908072391', ['TOLVAN TOLVANSSON', 'TOLVAN', 'TOLVANSSON']), 'order-1', 'auth');
  assert.equal(claims.name, 'Tolvan Tolvansson');
  assert.equal(claims.given_name, 'Tolvan');
  assert.equal(claims.family_name, 'Tolvansson');
  assert.equal(claims.birthdate, '1999-08-07');
  assert.equal(claims[OIDC_SE.personalIdentityNumber], '199908072391');
  assert.equal(claims[OIDC_SE.coordinationNumber], undefined);
  assert.equal(claims[OIDC_SE.deviceIp], '192.168.0.1');
  assert.equal(claims[OIDC_SE.authnEvidence], 'MIIHfgoBAKCCB3c=');
  assert.equal(claims.bankid_issue_date, '2020-02-01');
  assert.equal(claims.bankid_risk, 'low');
  assert.equal(claims.bankid_mrtd, true);
  assert.equal(claims.txn, 'order-1');
  const coordination = claimsFromCompletion(completion('199908672398', ['A B', 'A', 'B']), 'o', 'auth');
  assert.equal(coordination[OIDC_SE.coordinationNumber], '199908672398');
  assert.equal(coordination[OIDC_SE.personalIdentityNumber], undefined);
});

test('a payment order gives the payment claim (the transaction it sent and the signature), no other order does', () => {
  const data = completion('199908072391', ['A B', 'A', 'B']);
  const payment = { userVisibleTransaction: { transactionType: 'card' as const, recipient: { name: 'Butiken' }, money: { amount: '10,50', currency: 'SEK' } }, riskFlags: ['newCard' as const] };
  assert.deepEqual(claimsFromCompletion(data, 'o', 'payment', payment)[BRYGGA.paymentClaim], {
    transaction: payment.userVisibleTransaction, risk_flags: ['newCard'], signature: data.signature,
  });
  assert.deepEqual(claimsFromCompletion(data, 'o', 'payment', { userVisibleTransaction: payment.userVisibleTransaction })[BRYGGA.paymentClaim], {
    transaction: payment.userVisibleTransaction, signature: data.signature,
  });
  for (const operation of ['auth', 'sign']) assert.equal(claimsFromCompletion(data, 'o', operation, payment)[BRYGGA.paymentClaim], undefined, operation);
  assert.equal(claimsFromCompletion(data, 'o', 'payment')[OIDC_SE.userSignature], undefined, 'a payment is no signature of a text');
});

test('sub is a keyed hash, stable, not the personal number; pairwise differs per sector', () => {
  const sub = accountIdFor('k'.repeat(32), '199908072391');
  assert.equal(sub, accountIdFor('k'.repeat(32), '199908072391'));
  assert.notEqual(sub, accountIdFor('j'.repeat(32), '199908072391'));
  assert.ok(!sub.includes('199908072391'));
  assert.notEqual(pairwiseSubject('k'.repeat(32), sub, 'a.example'), pairwiseSubject('k'.repeat(32), sub, 'b.example'));
});

test('userMessage parameter: per-locale texts, MIME types and clear errors', () => {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const parsed = parseUserMessage(JSON.stringify({ message: b64('Hej'), 'message#en': b64('Hello'), mime_type: 'text/markdown' }));
  assert.equal(parsed.mimeType, 'text/markdown');
  assert.equal(messageFor(parsed, 'en'), 'Hello');
  assert.equal(messageFor(parsed, 'sv'), 'Hej');
  assert.throws(() => parseUserMessage('nope'), UserMessageError);
  assert.throws(() => parseUserMessage(JSON.stringify({ message: b64('x'), mime_type: 'text/html' })), /not supported/);
  assert.throws(() => parseUserMessage(JSON.stringify({ message: '***' })), /base64/);
  assert.throws(() => parseUserMessage(JSON.stringify({ mime_type: 'text/plain' })), /no message/);
});

test('language: the person\'s choice, then ui_locales, then Accept-Language, else Swedish', () => {
  assert.equal(negotiateLocale({ lang: 'en', uiLocales: 'sv' }), 'en');
  assert.equal(negotiateLocale({ uiLocales: 'fi en', acceptLanguage: 'sv' }), 'en');
  assert.equal(negotiateLocale({ acceptLanguage: 'de-DE,en-GB;q=0.8' }), 'en');
  assert.equal(negotiateLocale({ acceptLanguage: 'de' }), 'sv');
});
