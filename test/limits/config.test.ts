/** The rate-limit, request-size and retention settings: defaults, and a wrong value stops the start naming it. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load.ts';

function problemsOf(env: Record<string, string>): ConfigError['problems'] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('expected the configuration to be refused');
}

test('defaults', () => {
  const config = loadConfig({});
  assert.deepEqual(config.limits, {
    startsPerIpPerMinute: 10, startsPerInteraction: 5, startsPerClientPerMinute: 600, authPerIpPerMinute: 60,
    paramMaxBytes: 2048, largeParamMaxBytes: 16384, requestMaxBytes: 32768,
  });
  assert.deepEqual(config.retention, { orderDataS: 3600, orderRecordS: 90 * 24 * 3600, ledgerMonths: 24 });
});

test('limits must be positive whole numbers', () => {
  for (const name of ['RATE_LIMIT_STARTS_PER_IP_PER_MINUTE', 'RATE_LIMIT_STARTS_PER_INTERACTION', 'RATE_LIMIT_STARTS_PER_CLIENT_PER_MINUTE', 'RATE_LIMIT_AUTH_PER_IP_PER_MINUTE', 'AUTH_PARAM_MAX_BYTES']) {
    assert.deepEqual(problemsOf({ [name]: '0' }).map((p) => p.variable), [name]);
    assert.deepEqual(problemsOf({ [name]: 'many' }).map((p) => p.variable), [name]);
  }
  assert.deepEqual(problemsOf({ RATE_LIMIT_STARTS_PER_IP: '20' }).map((p) => p.variable), ['RATE_LIMIT_STARTS_PER_IP'], 'a misspelt limit is not ignored');
});

test('the data retention must outlast every token a login can still issue, and the message says why', () => {
  // 600 (interaction) + 1800 (session) + 60 (code) + 600 (access token) with the defaults.
  const [problem] = problemsOf({ ORDER_DATA_RETENTION_S: '3059' });
  assert.equal(problem!.variable, 'ORDER_DATA_RETENTION_S');
  assert.match(problem!.message, /at least 3060 s/);
  assert.match(problem!.message, /SESSION_TTL_S/);
  assert.equal(loadConfig({ ORDER_DATA_RETENTION_S: '3060' }).retention.orderDataS, 3060);
  assert.deepEqual(problemsOf({ SESSION_TTL_S: '28800' }).map((p) => p.variable), ['ORDER_DATA_RETENTION_S'], 'a longer session needs a longer retention');
  assert.deepEqual(problemsOf({ ACCESS_TOKEN_TTL_S: '7200' }).map((p) => p.variable), ['ORDER_DATA_RETENTION_S']);
});

test('the record retention cannot end before the data retention; size bounds must nest', () => {
  assert.deepEqual(problemsOf({ ORDER_DATA_RETENTION_S: String(3 * 86400), ORDER_RECORD_RETENTION_DAYS: '2' }).map((p) => p.variable), ['ORDER_RECORD_RETENTION_DAYS']);
  assert.deepEqual(problemsOf({ AUTH_PARAM_MAX_BYTES: '20000' }).map((p) => p.variable), ['AUTH_LARGE_PARAM_MAX_BYTES']);
  assert.deepEqual(problemsOf({ AUTH_LARGE_PARAM_MAX_BYTES: '40000' }).map((p) => p.variable), ['AUTH_REQUEST_MAX_BYTES']);
});
