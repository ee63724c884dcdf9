import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseQr, qrAuthCode, qrData, qrTime } from '../../src/bankid/qr.ts';

// The published test vector (rp-api-v6.md §6).
const TOKEN = '67df3917-fa0d-44e5-b327-edcc928297f8';
const SECRET = 'd28db9a7-4cde-429e-a983-359be676944c';
const VECTORS: [number, string][] = [
  [0, 'dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8'],
  [1, '949d559bf23403952a94d103e67743126381eda00f0b3cbddbf7c96b1adcbce2'],
  [2, 'a9e5ec59cb4eee4ef4117150abc58fad7a85439a6a96ccbecc3668b41795b3f3'],
  [3, '96077d77699971790b46ee1f04ff1e44fe96b0602c9c51e4ca9c6d031c7c3bb7'],
];

test('qrAuthCode and qrData match the published test vectors', () => {
  for (const [time, code] of VECTORS) {
    assert.equal(qrAuthCode(SECRET, time), code);
    assert.equal(qrData(TOKEN, SECRET, time), `bankid.${TOKEN}.${time}.${code}`);
  }
  assert.equal(qrData(TOKEN, SECRET, 0),
    'bankid.67df3917-fa0d-44e5-b327-edcc928297f8.0.dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8');
});

test('qrTime counts whole seconds since the order response, floored and never negative', () => {
  const start = new Date('2025-01-01T12:00:00.000Z');
  assert.equal(qrTime(start, start), 0);
  assert.equal(qrTime(start, start.getTime() + 999), 0);
  assert.equal(qrTime(start, start.getTime() + 1000), 1);
  assert.equal(qrTime(start, start.getTime() + 2999), 2);
  assert.equal(qrTime(start.getTime(), start.getTime() + 61_500), 61);
  assert.equal(qrTime(start, start.getTime() - 5000), 0);
});

test('parseQr splits a BankID QR string and rejects anything else', () => {
  const text = qrData(TOKEN, SECRET, 2);
  assert.deepEqual(parseQr(text), { qrStartToken: TOKEN, qrTime: 2, qrAuthCode: VECTORS[2]![1] });
  assert.deepEqual(parseQr(`  ${text}\n`)?.qrTime, 2);
  assert.equal(parseQr('bankid:///?autostarttoken=x'), undefined);
  assert.equal(parseQr(`bankid.${TOKEN}.x.${VECTORS[0]![1]}`), undefined);
  assert.equal(parseQr(`bankid.${TOKEN}.1.${VECTORS[0]![1].slice(1)}`), undefined);
  assert.equal(parseQr(text.toUpperCase()), undefined);
});
