/** What a request scope hands out: copies the provider may change without changing what the scope holds. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyPayload, RequestScope } from '../../src/storage/request-scope.ts';

test('a payload read from the scope is a deep copy: changing it changes neither the scope nor the next read', () => {
  const scope = new RequestScope();
  scope.set('Session', 's1', { uid: 'u1', authorizations: { app: { grantId: 'g1', persistsLogout: true } }, amr: ['bankid'], exp: 10 });
  const first = scope.get('Session', 's1') as { authorizations: Record<string, { grantId: string }>; amr: string[]; exp: number };
  first.authorizations.app!.grantId = 'changed';
  first.authorizations.other = { grantId: 'g2' };
  first.amr.push('otp');
  first.exp = 20;
  assert.deepEqual(scope.get('Session', 's1'), { uid: 'u1', authorizations: { app: { grantId: 'g1', persistsLogout: true } }, amr: ['bankid'], exp: 10 });
});

test('a key named __proto__ in a stored payload stays an own property of the copy, not its prototype', () => {
  const stored = JSON.parse('{"params":{"__proto__":{"polluted":true},"scope":"openid"}}') as { params: Record<string, unknown> };
  const copy = copyPayload(stored);
  assert.equal(Object.getPrototypeOf(copy.params), Object.prototype);
  assert.deepEqual(Object.keys(copy.params), ['__proto__', 'scope']);
  assert.deepEqual(Object.getOwnPropertyDescriptor(copy.params, '__proto__')?.value, { polluted: true });
  assert.equal((copy.params as { polluted?: unknown }).polluted, undefined);
});

test('what is not plain JSON (a Date) is copied too, not shared', () => {
  const at = new Date('2026-11-27T10:00:00Z');
  const copy = copyPayload({ at, list: [at] });
  assert.notEqual(copy.at, at);
  assert.equal(copy.at.getTime(), at.getTime());
  copy.list[0]!.setTime(0);
  assert.equal(at.getTime(), Date.parse('2026-11-27T10:00:00Z'));
});
