/** The verifier's DER reader (src/bankid/verification/der.ts): what it reads, and that it refuses what is not DER. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oidOf, readDer, readWholeDer, sequence } from '../../src/bankid/verification/der.ts';

const hex = (text: string) => Buffer.from(text.replace(/\s/g, ''), 'hex');

test('reads nested elements with short and long lengths, and object identifiers', () => {
  // SEQUENCE { OID 1.3.6.1.5.5.7.48.1.1, OCTET STRING of 130 bytes (long-form length) }
  const octets = Buffer.alloc(130, 7);
  const der = Buffer.concat([hex('30 81 90 06 09 2b06010505073001 01 04 81 82'), octets]);
  const [oid, value] = sequence(readWholeDer(der));
  assert.equal(oidOf(oid), '1.3.6.1.5.5.7.48.1.1');
  assert.equal(value!.tag, 0x04);
  assert.deepEqual(value!.content, octets);
  assert.equal(oidOf(readDer(hex('06 03 55 04 05'))), '2.5.4.5');
  assert.equal(oidOf(readDer(hex('06 06 2a 86 48 86 f7 0d'))), '1.2.840.113549');
});

test('refuses what is cut short, runs past its container, trails bytes or is not what was asked for', () => {
  assert.throws(() => readDer(hex('30')), /cut short/);
  assert.throws(() => readDer(hex('04 05 01 02')), /longer than its container/);
  assert.throws(() => readDer(hex('04 84 ff ff ff ff 00')), /longer than its container/);
  assert.throws(() => readDer(hex('04 80 00 00')), /unsupported form/, 'indefinite length is BER, not DER');
  assert.throws(() => readDer(hex('1f 81 00 00')), /multi-byte/);
  assert.throws(() => readWholeDer(hex('05 00 00')), /bytes after/);
  assert.throws(() => readWholeDer(hex('30 03 04 05 00')).children(), /longer than its container/, 'a child running past its parent');
  assert.throws(() => sequence(readDer(hex('31 00'))), /SEQUENCE/);
  assert.throws(() => sequence(undefined), /SEQUENCE/);
  assert.throws(() => oidOf(readDer(hex('04 01 00'))), /OBJECT IDENTIFIER/);
  assert.throws(() => oidOf(readDer(hex('06 02 2b 86'))), /cut short/);
});
