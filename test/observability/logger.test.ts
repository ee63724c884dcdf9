import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger, scrubPersonalNumbers } from '../../src/observability/logger.ts';

function collect() {
  const lines: string[] = [];
  const destination = new Writable({ write(chunk, _e, cb) { lines.push(chunk.toString()); cb(); } });
  return { lines, destination };
}

for (const format of ['json', 'pretty'] as const) {
  test(`a personal number never reaches the ${format} log, in any field or the message`, () => {
    const { lines, destination } = collect();
    const log = createLogger({ level: 'info', format, destination });
    log.info({ user: { personalNumber: '199908072391', note: 'pnr 19990807-2391 here' }, list: ['200001012384'] }, 'login for 199908072391 done');
    log.error(new Error('collect failed for 198112289874'));
    const output = lines.join('');
    assert.ok(output.length > 0);
    for (const pnr of ['199908072391', '19990807-2391', '200001012384', '198112289874']) assert.ok(!output.includes(pnr), `${pnr} leaked: ${output}`);
    assert.match(output, /\[PNR\]/);
  });
}

test('tokens, cookies, authorization headers, secrets and passphrases are redacted by key', () => {
  const { lines, destination } = collect();
  const log = createLogger({ level: 'info', format: 'json', destination });
  log.info({
    req: { headers: { authorization: 'Bearer abc.def', cookie: '_session=s3cr3t' } },
    client_secret: 'topsecret', passphrase: 'qwerty123', nested: { access_token: 'tok123', qrStartSecret: 'qrs' },
  }, 'request');
  const output = lines.join('');
  for (const secret of ['abc.def', 's3cr3t', 'topsecret', 'qwerty123', 'tok123', 'qrs"']) assert.ok(!output.includes(secret), `${secret} leaked`);
  assert.match(output, /\[REDACTED\]/);
});

test('redaction reaches an error\'s own properties and arrays, and leaves the logged objects as they were', () => {
  const { lines, destination } = collect();
  const log = createLogger({ level: 'info', format: 'json', destination }).child({ component: 'x' });
  const err = Object.assign(new Error('collect failed'), { signature: 'sigvalue' });
  const fields = { err, calls: [{ token: 'arraytoken', n: 1 }], deep: { a: { password: 'deeppw' } } };
  log.error(fields, 'failed');
  const line = JSON.parse(lines.join('')) as Record<string, any>;
  assert.equal(line.component, 'x');
  assert.equal(line.err.signature, '[REDACTED]');
  assert.equal(line.err.message, 'collect failed');
  assert.match(line.err.stack, /collect failed/);
  assert.deepEqual(line.calls, [{ token: '[REDACTED]', n: 1 }]);
  assert.equal(line.deep.a.password, '[REDACTED]');
  assert.equal(err.signature, 'sigvalue', 'the caller\'s error is not changed');
  assert.equal(fields.calls[0]!.token, 'arraytoken');
});

test('UUIDs and epoch milliseconds are not mistaken for personal numbers', () => {
  assert.equal(scrubPersonalNumbers('order 131daac9-16c6-4618-beb0-199908072391 at 1763900000000'), 'order 131daac9-16c6-4618-beb0-199908072391 at 1763900000000');
  assert.equal(scrubPersonalNumbers('"pnr":"199908072391"'), '"pnr":"[PNR]"');
});
