import assert from 'node:assert/strict';
import { test } from 'node:test';
import { labels, messages, userMessage, type MessageContext, type MessageId } from '../../src/bankid/messages.ts';

const QR_DESKTOP = { startMethod: 'qr', mobile: false } as const;
const SAME_DEVICE_MOBILE = { startMethod: 'same_device', mobile: true } as const;
const SAME_DEVICE_DESKTOP = { startMethod: 'same_device', mobile: false } as const;
const PHONE = { startMethod: 'phone', mobile: false } as const;

function idOf(context: MessageContext): MessageId {
  return userMessage(context).id;
}

test('pending hint codes map to the RFA of §8', () => {
  const rows: [MessageContext, MessageId][] = [
    [{ ...QR_DESKTOP, status: 'pending', hintCode: 'outstandingTransaction' }, 'RFA1'],
    [{ ...SAME_DEVICE_DESKTOP, status: 'pending', hintCode: 'outstandingTransaction' }, 'RFA13'],
    [{ ...SAME_DEVICE_MOBILE, status: 'pending', hintCode: 'outstandingTransaction' }, 'RFA13'],
    [{ ...QR_DESKTOP, status: 'pending', hintCode: 'noClient' }, 'RFA1'],
    [{ ...SAME_DEVICE_MOBILE, status: 'pending', hintCode: 'noClient' }, 'RFA1'],
    [{ ...SAME_DEVICE_DESKTOP, status: 'pending', hintCode: 'started' }, 'RFA15A'],
    [{ ...SAME_DEVICE_MOBILE, status: 'pending', hintCode: 'started' }, 'RFA15B'],
    [{ ...QR_DESKTOP, status: 'pending', hintCode: 'userSign' }, 'RFA9'],
    [{ ...SAME_DEVICE_MOBILE, status: 'pending', hintCode: 'userMrtd' }, 'RFA23'],
    [{ ...PHONE, status: 'pending', hintCode: 'userCallConfirm' }, 'BRYGGA_userCallConfirm'],
    [{ ...QR_DESKTOP, status: 'pending', hintCode: 'somethingNew' }, 'RFA21'],
    [{ ...QR_DESKTOP, status: 'pending' }, 'RFA21'],
  ];
  for (const [context, id] of rows) assert.equal(idOf(context), id, JSON.stringify(context));
});

test('failed hint codes map to the RFA of §8, startFailed by start method', () => {
  const rows: [MessageContext, MessageId][] = [
    [{ ...QR_DESKTOP, status: 'failed', hintCode: 'cancelled' }, 'RFA3'],
    [{ ...QR_DESKTOP, status: 'failed', hintCode: 'userCancel' }, 'RFA6'],
    [{ ...SAME_DEVICE_MOBILE, status: 'failed', hintCode: 'expiredTransaction' }, 'RFA8'],
    [{ ...QR_DESKTOP, status: 'failed', hintCode: 'certificateErr' }, 'RFA16'],
    [{ ...SAME_DEVICE_MOBILE, status: 'failed', hintCode: 'startFailed' }, 'RFA17A'],
    [{ ...SAME_DEVICE_DESKTOP, status: 'failed', hintCode: 'startFailed' }, 'RFA17A'],
    [{ ...QR_DESKTOP, status: 'failed', hintCode: 'startFailed' }, 'RFA17B'],
    [{ ...PHONE, status: 'failed', hintCode: 'userDeclinedCall' }, 'BRYGGA_userDeclinedCall'],
    [{ ...SAME_DEVICE_MOBILE, status: 'failed', hintCode: 'notSupportedByUserApp' }, 'BRYGGA_notSupportedByUserApp'],
    [{ ...QR_DESKTOP, status: 'failed', hintCode: 'transactionRiskBlocked' }, 'BRYGGA_transactionRiskBlocked'],
    [{ ...QR_DESKTOP, status: 'failed', hintCode: 'somethingNew' }, 'RFA22'],
    [{ ...QR_DESKTOP, status: 'failed' }, 'RFA22'],
  ];
  for (const [context, id] of rows) assert.equal(idOf(context), id, JSON.stringify(context));
});

test('error codes: RFA4 for alreadyInProgress, RFA5 for BankID trouble, RFA22 for our own faults and unknown codes', () => {
  const rows: [string, MessageId][] = [
    ['alreadyInProgress', 'RFA4'],
    ['requestTimeout', 'RFA5'],
    ['internalError', 'RFA5'],
    ['maintenance', 'RFA5'],
    ['invalidParameters', 'RFA22'],
    ['unauthorized', 'RFA22'],
    ['notFound', 'RFA22'],
    ['methodNotAllowed', 'RFA22'],
    ['unsupportedMediaType', 'RFA22'],
    ['brandNewCode', 'RFA22'],
    ['constructor', 'RFA22'],
  ];
  for (const [errorCode, id] of rows) {
    assert.equal(idOf({ ...QR_DESKTOP, errorCode }), id, errorCode);
    // The error wins over whatever the last collect said.
    assert.equal(idOf({ ...SAME_DEVICE_MOBILE, status: 'pending', hintCode: 'userSign', errorCode }), id, errorCode);
  }
});

test('texts are BankID\'s, with the published typos fixed', () => {
  assert.deepEqual(userMessage({ ...QR_DESKTOP, status: 'pending', hintCode: 'outstandingTransaction' }),
    { id: 'RFA1', sv: 'Starta BankID-appen', en: 'Start your BankID app.' });
  const rfa9 = userMessage({ ...QR_DESKTOP, status: 'pending', hintCode: 'userSign' });
  assert.equal(rfa9.sv, 'Skriv in din säkerhetskod i BankID-appen och välj Identifiera eller Skriv under.');
  assert.equal(userMessage({ ...SAME_DEVICE_MOBILE, status: 'pending', hintCode: 'started' }).sv,
    'Söker efter BankID. Säkerställ att du har ett giltigt BankID på den här enheten.');
  assert.equal(userMessage({ ...SAME_DEVICE_MOBILE, status: 'pending', hintCode: 'userMrtd' }).en,
    'Take a photo of, and scan, your ID document with the BankID app.');
  assert.equal(userMessage({ ...QR_DESKTOP, status: 'failed', hintCode: 'expiredTransaction' }).en,
    'The BankID app is not responding. Please check that it’s started and that you have internet access. If you don’t have a valid BankID you can get one from your bank. Try again.');
  assert.equal(userMessage({ ...QR_DESKTOP, errorCode: 'maintenance' }).sv, 'Något gick fel. Försök igen.');
  assert.equal(userMessage({ ...SAME_DEVICE_MOBILE, status: 'failed', hintCode: 'notSupportedByUserApp' }).en, 'Update your BankID app and then try again.');
  for (const message of Object.values(messages)) {
    assert.ok(message.sv.length > 0 && message.en.length > 0, message.id);
    assert.doesNotMatch(message.sv, /BankID- appen|gitligt/, message.id);
    assert.doesNotMatch(message.en, /\byou ID\b/, message.id);
  }
});

test('labels and the table hold the texts that no collect result triggers', () => {
  assert.deepEqual(labels.startApp, { id: 'RFA18', sv: 'Starta BankID-appen', en: 'Start the BankID app' });
  assert.deepEqual(labels.chooseDevice, {
    id: 'RFA20', sv: 'Vill du använda BankID på den här enheten eller på en annan enhet?', en: 'Do you want to use BankID on this device or another device?',
  });
  assert.equal(messages.RFA2.sv, 'Du har inte BankID-appen installerad. Kontakta din bank.');
  assert.equal(messages.RFA19.en, 'Would you like to use BankID on this computer, or a Mobile BankID?');
  assert.equal(Object.keys(messages).length, 24);
});
