/** The cookie signer is a drop-in for keygrip: the same signatures, so cookies signed before a deploy stay valid. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
// keygrip comes with koa (through the cookies module); it is what signed cookies before.
import Keygrip from 'keygrip';
import { CookieSigner } from '../../src/security/cookie-signer.ts';

test('signs as keygrip does and verifies with any key, telling which', () => {
  const keys = ['first-key-0123456789abcdefghijklmnop', 'older-key-0123456789abcdefghijklmnop'];
  const signer = new CookieSigner(keys);
  const data = '_session=Yk7cK3hK2xvFq5mY9aLw0-fMdz3pQJ8eRr2sT1uVwXy';
  assert.equal(signer.sign(data), new Keygrip(keys).sign(data));
  const byOlder = new Keygrip([keys[1]!]).sign(data);
  assert.equal(signer.index(data, byOlder), 1);
  assert.equal(signer.verify(data, byOlder), true);
  assert.equal(signer.index(data, signer.sign(data)), 0);
  assert.equal(signer.verify(`${data}x`, signer.sign(data)), false);
  assert.equal(signer.verify(data, ''), false);
  assert.throws(() => new CookieSigner([]));
});
