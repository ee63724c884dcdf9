import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load.ts';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err.problems.map((p) => p.variable);
  }
  assert.fail('expected the configuration to be refused');
}

test('nothing configured is demo mode with the simulator and the embedded database', () => {
  const config = loadConfig({});
  assert.equal(config.demo, true);
  assert.equal(config.autoMigrate, true);
  assert.equal(config.bankid.environment, 'simulator');
  assert.equal(config.database.url, undefined);
  assert.equal(config.http.issuer, 'http://localhost:3000');
  assert.deepEqual(config.http.allowedHosts, ['localhost:3000']);
  assert.equal(config.bankid.certFile, join('certs/simulator', 'rp.p12'));
  assert.equal(config.bankid.caFile, join('certs/simulator', 'ca.pem'));
  assert.equal(config.bankid.certPassphrase, 'qwerty123');
  assert.equal(config.oidc.idTokenTtlS, 300);
});

test('PORT and ISSUER change the issuer; its host becomes the allowed host', () => {
  assert.equal(loadConfig({ PORT: '4000' }).http.issuer, 'http://localhost:4000');
  const config = loadConfig({ ISSUER: 'https://login.example.se/' });
  assert.equal(config.http.issuer, 'https://login.example.se');
  assert.deepEqual(config.http.allowedHosts, ['login.example.se']);
});

test('a malformed value names its variable', () => {
  assert.deepEqual(problemsOf({ PORT: 'eighty' }), ['PORT']);
  assert.deepEqual(problemsOf({ BANKID_ENV: 'staging' }), ['BANKID_ENV']);
  assert.deepEqual(problemsOf({ ID_TOKEN_TTL_S: '3600' }), ['ID_TOKEN_TTL_S']);
  assert.deepEqual(problemsOf({ TRUST_PROXY: 'maybe' }), ['TRUST_PROXY']);
  assert.deepEqual(problemsOf({ DATABASE_URL: 'mysql://x' }), ['DATABASE_URL']);
});

test('every problem is reported at once, and the message names each variable', () => {
  try {
    loadConfig({ PORT: 'x', LOG_LEVEL: 'loud' });
    assert.fail('expected an error');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.match(err.message, /PORT: /);
    assert.match(err.message, /LOG_LEVEL: /);
  }
});

test('an unknown BANKID_/SIMULATOR_ variable is a typo, not silence', () => {
  assert.deepEqual(problemsOf({ BANKID_CERTFILE: 'x.p12' }), ['BANKID_CERTFILE']);
});

test('production and test BankID need a CA and a certificate; production needs the secrets', () => {
  assert.deepEqual(problemsOf({ BANKID_ENV: 'test' }).sort(), ['BANKID_CA_FILE', 'BANKID_CERT_FILE', 'BANKID_USER_ROOT_CA_FILE', 'ENCRYPTION_KEY', 'SUBJECT_SECRET']);
  assert.deepEqual(problemsOf({ NODE_ENV: 'production' }).sort(), ['ENCRYPTION_KEY', 'SUBJECT_SECRET']);
  assert.deepEqual(problemsOf({ NODE_ENV: 'production', DEMO: 'true' }), ['DEMO']);
});

test('secrets can come from *_FILE, but not both ways at once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'brygga-config-'));
  const file = join(dir, 'secret');
  writeFileSync(file, `${'s'.repeat(40)}\n`);
  assert.equal(loadConfig({ SUBJECT_SECRET_FILE: file }).oidc.subjectSecret, 's'.repeat(40));
  assert.deepEqual(problemsOf({ SUBJECT_SECRET_FILE: file, SUBJECT_SECRET: 'x'.repeat(40) }), ['SUBJECT_SECRET']);
  assert.deepEqual(problemsOf({ SUBJECT_SECRET_FILE: join(dir, 'missing') }), ['SUBJECT_SECRET_FILE']);
});

test('a hidden value is not echoed in the error', () => {
  try {
    loadConfig({ ENCRYPTION_KEY: 'not-hex-and-very-secret' });
    assert.fail('expected an error');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.doesNotMatch(err.message, /very-secret/);
    assert.match(err.message, /ENCRYPTION_KEY/);
  }
});

test('README documents every variable, exactly as variables.ts says', async () => {
  const { readFileSync } = await import('node:fs');
  const { withConfigTable } = await import('../../src/config/docs.ts');
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.equal(readme, withConfigTable(readme), 'README.md is out of date: run npm run docs:config');
});

test('ACR_SUPPORTED: ACR alone by default, ACR first when more are allowed; it must include ACR and know each value', () => {
  const LOA3 = 'http://id.elegnamnden.se/loa/1.0/loa3';
  const UNCERTIFIED = 'http://id.swedenconnect.se/loa/1.0/uncertified-loa3';
  assert.deepEqual(loadConfig({}).oidc.acrSupported, [UNCERTIFIED]);
  assert.deepEqual(loadConfig({ ACR: LOA3, ACR_SUPPORTED: `${UNCERTIFIED},${LOA3}` }).oidc.acrSupported, [LOA3, UNCERTIFIED]);
  assert.deepEqual(problemsOf({ ACR_SUPPORTED: LOA3 }), ['ACR_SUPPORTED']);
  assert.deepEqual(problemsOf({ ACR_SUPPORTED: `${UNCERTIFIED},http://example.com/loa9` }), ['ACR_SUPPORTED']);
});
