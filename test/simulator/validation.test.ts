import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { base64, rpCall, startTestSimulator, type TestSimulator } from './support.ts';

let t: TestSimulator;
before(async () => { t = await startTestSimulator(); });
after(async () => { await t.close(); });

const ip = { endUserIp: '192.168.0.10' };
const phone = { personalNumber: '191212121212', callInitiator: 'user' };
const card = { transactionType: 'card', recipient: { name: 'Kaffebaren' }, money: { amount: '49,00', currency: 'SEK' } };
/** base64 text of exactly n characters. */
const b64 = (n: number) => 'QUJD'.repeat(Math.ceil(n / 4)).slice(0, n);

interface Case {
  name: string;
  endpoint: string;
  body: Record<string, unknown>;
  /** A fragment of `details` naming what is wrong. */
  details: RegExp;
}

const invalid: Case[] = [
  { name: 'endUserIp missing', endpoint: 'auth', body: {}, details: /endUserIp/ },
  { name: 'endUserIp not an IP', endpoint: 'auth', body: { endUserIp: 'localhost' }, details: /endUserIp/ },
  { name: 'endUserIp not a string', endpoint: 'payment', body: { endUserIp: 127001, userVisibleTransaction: card }, details: /endUserIp/ },
  { name: 'sign without userVisibleData', endpoint: 'sign', body: { ...ip }, details: /userVisibleData/ },
  { name: 'phone/sign without userVisibleData', endpoint: 'phone/sign', body: { ...phone }, details: /userVisibleData/ },
  { name: 'userVisibleData not base64', endpoint: 'auth', body: { ...ip, userVisibleData: 'hej hopp!' }, details: /userVisibleData/ },
  { name: 'userVisibleData badly padded', endpoint: 'auth', body: { ...ip, userVisibleData: 'QUJDRA=' }, details: /userVisibleData/ },
  { name: 'userVisibleData not UTF-8', endpoint: 'auth', body: { ...ip, userVisibleData: Buffer.from([0xff, 0xfe, 0xfd]).toString('base64') }, details: /userVisibleData/ },
  { name: 'userVisibleData empty', endpoint: 'auth', body: { ...ip, userVisibleData: '' }, details: /userVisibleData/ },
  { name: 'userNonVisibleData not base64', endpoint: 'sign', body: { ...ip, userVisibleData: base64('x'), userNonVisibleData: '***' }, details: /userNonVisibleData/ },
  { name: 'auth text over 1 500', endpoint: 'auth', body: { ...ip, userVisibleData: b64(1504) }, details: /userVisibleData/ },
  { name: 'payment text over 1 500', endpoint: 'payment', body: { ...ip, userVisibleData: b64(1504), userVisibleTransaction: card }, details: /userVisibleData/ },
  { name: 'phone/auth text over 1 500', endpoint: 'phone/auth', body: { ...phone, userVisibleData: b64(1504) }, details: /userVisibleData/ },
  { name: 'sign text over 40 000', endpoint: 'sign', body: { ...ip, userVisibleData: b64(40_004) }, details: /userVisibleData/ },
  { name: 'phone/sign text over 40 000', endpoint: 'phone/sign', body: { ...phone, userVisibleData: b64(40_004) }, details: /userVisibleData/ },
  { name: 'non-visible data over 200 000', endpoint: 'auth', body: { ...ip, userNonVisibleData: b64(200_004) }, details: /userNonVisibleData/ },
  { name: 'userVisibleDataFormat unknown', endpoint: 'auth', body: { ...ip, userVisibleData: base64('x'), userVisibleDataFormat: 'markdown' }, details: /userVisibleDataFormat/ },
  { name: 'cardReader class3', endpoint: 'auth', body: { ...ip, requirement: { cardReader: 'class3' } }, details: /requirement\.cardReader/ },
  { name: 'pinCode not boolean', endpoint: 'auth', body: { ...ip, requirement: { pinCode: 'true' } }, details: /requirement\.pinCode/ },
  { name: 'mrtd not boolean', endpoint: 'sign', body: { ...ip, userVisibleData: base64('x'), requirement: { mrtd: 1 } }, details: /requirement\.mrtd/ },
  { name: 'requirement not an object', endpoint: 'auth', body: { ...ip, requirement: 'none' }, details: /requirement/ },
  { name: 'certificatePolicies not OIDs', endpoint: 'auth', body: { ...ip, requirement: { certificatePolicies: ['bankid'] } }, details: /certificatePolicies/ },
  { name: 'early wildcard policy', endpoint: 'auth', body: { ...ip, requirement: { certificatePolicies: ['1.2.*'] } }, details: /certificatePolicies/ },
  { name: 'requirement pnr 10 digits', endpoint: 'auth', body: { ...ip, requirement: { personalNumber: '9908072391' } }, details: /requirement\.personalNumber/ },
  { name: 'requirement pnr with hyphen', endpoint: 'auth', body: { ...ip, requirement: { personalNumber: '19990807-2391' } }, details: /requirement\.personalNumber/ },
  { name: 'phone pnr missing', endpoint: 'phone/auth', body: { callInitiator: 'RP' }, details: /personalNumber/ },
  { name: 'phone pnr 11 digits', endpoint: 'phone/auth', body: { ...phone, personalNumber: '19121212121' }, details: /personalNumber/ },
  { name: 'callInitiator missing', endpoint: 'phone/auth', body: { personalNumber: '191212121212' }, details: /callInitiator/ },
  { name: 'callInitiator "rp"', endpoint: 'phone/auth', body: { ...phone, callInitiator: 'rp' }, details: /callInitiator/ },
  { name: 'callInitiator "User"', endpoint: 'phone/sign', body: { ...phone, callInitiator: 'User', userVisibleData: base64('x') }, details: /callInitiator/ },
  { name: 'returnUrl empty', endpoint: 'auth', body: { ...ip, returnUrl: '' }, details: /returnUrl/ },
  { name: 'returnUrl over 512', endpoint: 'auth', body: { ...ip, returnUrl: `https://rp.example/${'a'.repeat(500)}` }, details: /returnUrl/ },
  { name: 'returnRisk not boolean', endpoint: 'auth', body: { ...ip, returnRisk: 'yes' }, details: /returnRisk/ },
  { name: 'web and app both', endpoint: 'auth', body: { ...ip, web: { referringDomain: 'rp.example', userAgent: 'UA', deviceIdentifier: 'd1' }, app: { appIdentifier: 'se.rp', deviceOS: 'IOS 17', deviceModelName: 'iPhone', deviceIdentifier: 'd1' } }, details: /web or app/ },
  { name: 'web.referringDomain too short', endpoint: 'auth', body: { ...ip, web: { referringDomain: 'ab' } }, details: /web\.referringDomain/ },
  { name: 'web.referringDomain too long', endpoint: 'auth', body: { ...ip, web: { referringDomain: 'a'.repeat(254) } }, details: /web\.referringDomain/ },
  { name: 'web.userAgent over 256', endpoint: 'auth', body: { ...ip, web: { userAgent: 'u'.repeat(257) } }, details: /web\.userAgent/ },
  { name: 'web.deviceIdentifier over 64', endpoint: 'auth', body: { ...ip, web: { deviceIdentifier: 'd'.repeat(65) } }, details: /web\.deviceIdentifier/ },
  { name: 'app.deviceIdentifier empty', endpoint: 'sign', body: { ...ip, userVisibleData: base64('x'), app: { deviceIdentifier: '' } }, details: /app\.deviceIdentifier/ },
  { name: 'payment without userVisibleTransaction', endpoint: 'payment', body: { ...ip }, details: /userVisibleTransaction/ },
  { name: 'payment transactionType cash', endpoint: 'payment', body: { ...ip, userVisibleTransaction: { ...card, transactionType: 'cash' } }, details: /transactionType/ },
  { name: 'payment npa with money', endpoint: 'payment', body: { ...ip, userVisibleTransaction: { ...card, transactionType: 'npa' } }, details: /money/ },
  { name: 'payment without recipient', endpoint: 'payment', body: { ...ip, userVisibleTransaction: { transactionType: 'card' } }, details: /recipient/ },
  { name: 'payment amount with dot', endpoint: 'payment', body: { ...ip, userVisibleTransaction: { ...card, money: { amount: '49.00', currency: 'SEK' } } }, details: /money\.amount/ },
  { name: 'payment currency lower case', endpoint: 'payment', body: { ...ip, userVisibleTransaction: { ...card, money: { amount: '49', currency: 'sek' } } }, details: /money\.currency/ },
  { name: 'payment unknown risk flag', endpoint: 'payment', body: { ...ip, userVisibleTransaction: card, riskFlags: ['lottery'] }, details: /riskFlags/ },
  { name: 'v5 top-level personalNumber', endpoint: 'auth', body: { ...ip, personalNumber: '191212121212' }, details: /Removed in v6: personalNumber/ },
  { name: 'v5 allowFingerprint', endpoint: 'sign', body: { ...ip, userVisibleData: base64('x'), allowFingerprint: true }, details: /allowFingerprint/ },
  { name: 'v5 requirement.allowFingerprint', endpoint: 'auth', body: { ...ip, requirement: { allowFingerprint: false } }, details: /requirement\.allowFingerprint/ },
  { name: 'v5 requirement.tokenStartRequired', endpoint: 'auth', body: { ...ip, requirement: { tokenStartRequired: true } }, details: /requirement\.tokenStartRequired/ },
  { name: 'v5 requirement.issuerCn', endpoint: 'payment', body: { ...ip, userVisibleTransaction: card, requirement: { issuerCn: ['x'] } }, details: /requirement\.issuerCn/ },
  { name: 'collect without orderRef', endpoint: 'collect', body: {}, details: /orderRef/ },
  { name: 'collect orderRef not a string', endpoint: 'collect', body: { orderRef: 42 }, details: /orderRef/ },
  { name: 'cancel orderRef empty', endpoint: 'cancel', body: { orderRef: '' }, details: /orderRef/ },
];

test('invalid requests are 400 invalidParameters naming the field', async (s) => {
  for (const c of invalid) {
    await s.test(`${c.endpoint}: ${c.name}`, async () => {
      const reply = await rpCall(t.sim, c.endpoint, c.body);
      assert.equal(reply.status, 400, JSON.stringify(reply.json));
      assert.equal(reply.json.errorCode, 'invalidParameters');
      assert.match(reply.json.details, c.details);
    });
  }
});

const valid: Omit<Case, 'details'>[] = [
  { name: 'minimal auth with IPv6', endpoint: 'auth', body: { endUserIp: '2001:db8::1' } },
  { name: 'auth text at 1 500', endpoint: 'auth', body: { ...ip, userVisibleData: b64(1500), userVisibleDataFormat: 'simpleMarkdownV1' } },
  { name: 'sign text at 40 000 and non-visible at 200 000', endpoint: 'sign', body: { ...ip, userVisibleData: b64(40_000), userNonVisibleData: b64(200_000) } },
  { name: 'every requirement', endpoint: 'auth', body: { ...ip, requirement: { pinCode: true, mrtd: false, cardReader: 'class2', certificatePolicies: ['1.2.3.4.5', '1.2.752.78.*'], personalNumber: '200001012384' } } },
  { name: 'returnUrl at 512 and returnRisk', endpoint: 'auth', body: { ...ip, returnUrl: `https://rp.example/${'a'.repeat(493)}`, returnRisk: true } },
  { name: 'web data', endpoint: 'auth', body: { ...ip, web: { referringDomain: 'rp.example', userAgent: 'u'.repeat(256), deviceIdentifier: 'd'.repeat(64) } } },
  { name: 'app data', endpoint: 'sign', body: { ...ip, userVisibleData: base64('Avtal'), app: { appIdentifier: 'se.rp.app', deviceOS: 'IOS 16.7.7', deviceModelName: 'Apple iPhone14,3', deviceIdentifier: 'abc' } } },
  { name: 'card payment with flags', endpoint: 'payment', body: { ...ip, userVisibleTransaction: { ...card, riskWarning: 'Ovanligt belopp' }, riskFlags: ['newCard', 'largeAmount'] } },
  { name: 'npa payment without money', endpoint: 'payment', body: { ...ip, userVisibleTransaction: { transactionType: 'npa', recipient: { name: 'Butiken' } } } },
  { name: 'phone auth, user called', endpoint: 'phone/auth', body: { personalNumber: '199006242391', callInitiator: 'user', requirement: { pinCode: true } } },
  { name: 'phone sign, RP called', endpoint: 'phone/sign', body: { personalNumber: '198501012382', callInitiator: 'RP', userVisibleData: base64('Jag godkänner') } },
];

test('valid requests at the limits are accepted', async (s) => {
  for (const c of valid) {
    await s.test(`${c.endpoint}: ${c.name}`, async () => {
      const reply = await rpCall(t.sim, c.endpoint, c.body);
      assert.equal(reply.status, 200, JSON.stringify(reply.json));
      assert.ok(reply.json.orderRef);
    });
  }
});
