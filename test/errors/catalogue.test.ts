/** The error catalogue: every entry complete in both languages, and errors render as people and clients need. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asBrokerError, BrokerError, CATALOGUE, type ErrorCode } from '../../src/errors/catalogue.ts';

test('every entry has a status, an OAuth error and a sentence in Swedish and English', () => {
  for (const [code, entry] of Object.entries(CATALOGUE)) {
    assert.ok(entry.status >= 400 && entry.status < 600, code);
    assert.match(entry.oauth, /^[a-z_]+$/, code);
    assert.ok(entry.text.sv.length > 10 && entry.text.en.length > 10, code);
    assert.notEqual(entry.text.sv, entry.text.en, `${code} is translated`);
  }
});

test('a BrokerError carries its entry, a more precise text when given, and JSON with a stable code', () => {
  const err = new BrokerError('rate_limited', 'ip 192.0.2.1 over 10/min', { retryAfterS: 30 });
  assert.equal(err.status, 429);
  assert.equal(err.retryAfterS, 30);
  assert.equal(err.text('sv'), CATALOGUE.rate_limited.text.sv);
  assert.deepEqual(err.toJSON('en'), { error: 'rate_limited', message: CATALOGUE.rate_limited.text.en });
  const precise = new BrokerError('order_start_failed', 'alreadyInProgress', { text: { sv: 'Redan påbörjad.', en: 'Already started.' } });
  assert.equal(precise.text('en'), 'Already started.');
});

test('anything else becomes `internal`, and its message is not shown', () => {
  const err = asBrokerError(new Error('connection string postgres://secret@db'));
  assert.equal(err.code satisfies ErrorCode, 'internal');
  assert.equal(err.expose, false);
  assert.doesNotMatch(err.text('en'), /postgres/);
  assert.ok(err.cause instanceof Error);
});
