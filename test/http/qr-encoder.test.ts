/**
 * The QR encoder the BankID page draws with (views/assets/qr.js), against the `qrcode` package: the same modules for
 * the same text and mask, in every version, for BankID's QR strings and for any text.
 */
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { encode, qrSvg } from '../../views/assets/qr.js';
import { modulesOfSvg, referenceQr } from '../helpers/qr-matrix.ts';

// Bytes that fit at level L in byte mode, versions 1–40 (ISO/IEC 18004 table 7).
const CAPACITY = [17, 32, 53, 78, 106, 134, 154, 192, 230, 271, 321, 367, 425, 458, 520, 586, 644, 718, 792, 858,
  929, 1003, 1091, 1171, 1273, 1367, 1465, 1528, 1628, 1732, 1840, 1952, 2068, 2188, 2303, 2431, 2563, 2699, 2809, 2953];

function assertSameAsReference(text: string, expectedVersion?: number) {
  const mine = encode(text);
  const ref = referenceQr(text, mine.mask);
  assert.equal(mine.version, ref.version, `version of a ${text.length}-character text`);
  if (expectedVersion) assert.equal(mine.version, expectedVersion);
  assert.ok(Buffer.from(mine.modules).equals(Buffer.from(ref.modules)), `modules of ${JSON.stringify(text.slice(0, 60))} (version ${mine.version}, mask ${mine.mask})`);
}

const bankIdQr = (time: number) => {
  const secret = randomUUID();
  return `bankid.${randomUUID()}.${time}.${createHmac('sha256', secret).update(String(time)).digest('hex')}`;
};

test('BankID QR strings (the published test vector and fresh orders, 0 to 600 s) are version 6 codes like qrcode makes', () => {
  assertSameAsReference('bankid.67df3917-fa0d-44e5-b327-edcc928297f8.0.dc69358e712458a66a7525beef148ae8526b1c71610eff2c16cdffb4cdac9bf8', 6);
  for (const time of [0, 1, 9, 10, 29, 30, 99, 100, 179, 180, 600]) assertSameAsReference(bankIdQr(time), 6);
});

test('every version 1–40 at its capacity, and one byte more takes the next version', () => {
  CAPACITY.forEach((bytes, i) => {
    assertSameAsReference('x'.repeat(bytes), i + 1);
    if (i < 39) assert.equal(encode('x'.repeat(bytes + 1)).version, i + 2);
  });
  assert.throws(() => encode('x'.repeat(2954)), RangeError);
});

test('any text, UTF-8 included, encodes as qrcode encodes it', () => {
  assertSameAsReference('Hej! Åäö ✓ 🙂');
  fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 300, unit: 'binary' }), (text) => assertSameAsReference(text)), { numRuns: 25 });
});

test('the SVG draws exactly the modules, inside a quiet zone of two', () => {
  const text = bankIdQr(42);
  const svg = qrSvg(text);
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 45 45" shape-rendering="crispEdges">/);
  const drawn = modulesOfSvg(svg);
  const { size, modules } = encode(text);
  assert.equal(drawn.size, size);
  assert.ok(Buffer.from(drawn.modules).equals(Buffer.from(modules)));
});
