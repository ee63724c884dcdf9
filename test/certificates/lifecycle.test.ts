/**
 * Upload → checks (with a live call to the simulator over mTLS) → staged → active → retired → rollback → removed,
 * and every reason a certificate is refused. The key is sealed at rest and never part of a view.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import forge from 'node-forge';
import { closeAgents } from '../../src/bankid/transport.ts';
import { CertificateRejectedError } from '../../src/certificates/errors.ts';
import { CertificateService } from '../../src/certificates/service.ts';
import { loadConfig } from '../../src/config/load.ts';
import { BrokerError } from '../../src/errors/catalogue.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { ensureCertificates } from '../../src/simulator/certs.ts';
import { createCertificate, toPkcs12 } from '../../src/simulator/pki.ts';
import { SecretBox } from '../../src/storage/encryption.ts';
import { RpCertificateRepository } from '../../src/storage/rp-certificates.ts';
import { TenantRepository } from '../../src/storage/tenants.ts';
import { TenantService } from '../../src/tenants/service.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { SimulatorControl } from '../helpers/broker.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const box = new SecretBox('cd'.repeat(32));
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let simulator: RunningSimulator;
let sim: SimulatorControl;
let certsDir: string;
let service: CertificateService;
const retired: string[] = [];

before(async () => {
  certsDir = join(mkdtempSync(join(tmpdir(), 'brygga-certs-')), 'certs');
  simulator = await startSimulator({ ...loadConfig({}).simulator, certsDir, port: 0, controlPort: 0 });
  sim = new SimulatorControl(simulator.controlUrl);
  database = await createTestDatabase();
  await new TenantService(database.db).create({ id: 'kommun-a', name: { sv: 'Kommun A', en: 'Municipality A' }, organisationNumber: '212000-1355', bankidEnvironment: 'simulator' });
  await new TenantService(database.db).create({ id: 'test-org', name: { sv: 'Testorg', en: 'Test org' }, bankidEnvironment: 'test' });
  service = new CertificateService({
    certificates: new RpCertificateRepository(database.db, box),
    tenants: new TenantRepository(database.db),
    endpoints: { simulator: { baseUrl: simulator.apiUrl, caPem: simulator.caPem } },
    defaultEnvironment: 'simulator',
    client: { timeoutMs: 5000, maintenanceRetries: 0 },
    onRetired: (fingerprint) => retired.push(fingerprint),
  });
});
beforeEach(async () => { await fetch(`${simulator.controlUrl}/sim/rp-certificates`, { method: 'DELETE' }); });
after(async () => {
  closeAgents();
  await simulator.close();
  await database.close();
});

const issue = (displayName: string, validity: { notBefore?: Date; notAfter?: Date } = {}) => simulator.issueRpCertificate({ displayName, ...validity });
const upload = (pkcs12: Buffer, tenantId = 'kommun-a', passphrase = simulator.rpP12Passphrase) => service.add({ tenantId, pkcs12, passphrase });

async function rejection(work: Promise<unknown>): Promise<CertificateRejectedError> {
  const err = await work.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof CertificateRejectedError, `expected a rejection, got ${String(err)}`);
  return err;
}

test('upload → staged → active → (next one) retired → rollback → remove; views never hold the key', async () => {
  const first = issue('Kommun A');
  const staged = await upload(first.pkcs12);
  assert.equal(staged.state, 'staged');
  assert.equal(staged.fingerprint, first.fingerprint);
  assert.equal(staged.environment, 'simulator');
  assert.match(staged.subject, /name=Kommun A/);
  assert.match(staged.issuer, /CN=Testbank A RP CA v1 for BankID Simulator/);
  assert.ok(staged.daysLeft > 1000 && staged.expiry === undefined);
  assert.doesNotMatch(JSON.stringify(staged), /PRIVATE KEY|keyPem|sealed/);

  // At rest the key is sealed: the row holds no PEM key, and it opens with the key it was sealed with.
  const row = await database.db.selectFrom('rp_certificates').selectAll().where('fingerprint', '=', first.fingerprint).executeTakeFirstOrThrow();
  assert.doesNotMatch(row.sealed_key, /PRIVATE KEY/);
  assert.match(JSON.parse(box.open(row.sealed_key)).keyPem, /PRIVATE KEY/);

  assert.equal((await service.activate(first.fingerprint)).state, 'active');
  const second = issue('Kommun A 2026');
  await upload(second.pkcs12);
  // Colons and upper case, as fingerprints are often written.
  const active = await service.activate(second.fingerprint.toUpperCase().match(/../g)!.join(':'));
  assert.equal(active.state, 'active');
  assert.deepEqual((await service.list('kommun-a')).map((c) => [c.fingerprint, c.state]), [[second.fingerprint, 'active'], [first.fingerprint, 'retired']]);
  assert.deepEqual(retired, [first.fingerprint], 'the retired certificate\'s connections are closed');

  const back = await service.rollback('kommun-a');
  assert.equal(back.fingerprint, first.fingerprint);
  assert.deepEqual((await service.list('kommun-a')).map((c) => [c.fingerprint, c.state]), [[first.fingerprint, 'active'], [second.fingerprint, 'retired']]);

  await assert.rejects(service.remove(first.fingerprint), (err: BrokerError) => err.code === 'certificate_state' && /active/.test(err.message));
  await service.remove(second.fingerprint);
  await assert.rejects(service.show(second.fingerprint), (err: BrokerError) => err.code === 'certificate_unknown');
  await assert.rejects(service.rollback('kommun-a'), (err: BrokerError) => err.code === 'certificate_state');
  assert.equal((await rejection(upload(first.pkcs12))).reason, 'already-stored');
});

test('activation is one statement: one active certificate per tenant even when two activations race', async () => {
  const [a, b] = [issue('Race A'), issue('Race B')];
  await database.db.insertInto('tenants').values({ id: 'race', name_sv: 'R', name_en: 'R', bankid_environment: 'simulator' }).execute();
  await upload(a.pkcs12, 'race');
  await upload(b.pkcs12, 'race');
  await Promise.allSettled([service.activate(a.fingerprint), service.activate(b.fingerprint)]);
  const states = (await service.list('race')).map((c) => c.state).sort();
  assert.deepEqual(states, ['active', 'retired']);
});

test('a certificate the simulator does not accept is refused with BankID\'s reason: unregistered, revoked', async () => {
  for (const [status, details] of [['unregistered', /not registered/], ['revoked', /revoked/]] as const) {
    const refused = issue(`Refused ${status}`);
    assert.equal((await sim.post(`/sim/rp-certificates/${refused.fingerprint}`, { status })).status, 200);
    const err = await rejection(upload(refused.pkcs12));
    assert.equal(err.reason, 'refused-by-bankid');
    assert.match(err.message, /unauthorized/);
    assert.match(err.message, details);
    assert.equal(await database.db.selectFrom('rp_certificates').select('fingerprint').where('fingerprint', '=', refused.fingerprint).executeTakeFirst(), undefined, 'nothing stored');
  }
});

test('a wrong passphrase, an expired certificate, a key that does not match, another environment are refused', async () => {
  assert.equal((await rejection(upload(issue('Wrong passphrase').pkcs12, 'kommun-a', 'not-the-passphrase'))).reason, 'wrong-passphrase');

  const expired = issue('Expired', { notBefore: new Date(Date.now() - 800 * DAY_MS), notAfter: new Date(Date.now() - DAY_MS) });
  const expiredErr = await rejection(upload(expired.pkcs12));
  assert.equal(expiredErr.reason, 'expired');
  assert.match(expiredErr.message, /expired on/);

  // A PKCS#12 holding one certificate with another certificate's key.
  const { rpCa } = ensureCertificates(certsDir, simulator.rpP12Passphrase);
  const cert = createCertificate({ subject: { CN: 'FP Mismatch', name: 'Mismatch' }, issuer: rpCa, extKeyUsage: ['clientAuth'] });
  const otherKey = createCertificate({ subject: { CN: 'other' } }).key;
  const mismatched = Buffer.from(forge.asn1.toDer(forge.pkcs12.toPkcs12Asn1(otherKey, [cert.cert], 'pw', { algorithm: 'aes256' })).getBytes(), 'binary');
  assert.equal((await rejection(upload(mismatched, 'kommun-a', 'pw'))).reason, 'key-mismatch');

  // The simulator's certificate for a tenant on BankID's test environment.
  assert.equal((await rejection(upload(issue('Wrong env').pkcs12, 'test-org'))).reason, 'wrong-environment');
  // An issuer that is no BankID RP CA at all.
  const selfCa = createCertificate({ subject: { CN: 'Some Other CA' }, ca: true });
  const foreign = toPkcs12(createCertificate({ subject: { CN: 'FP Foreign' }, issuer: selfCa }), [selfCa], 'pw');
  assert.equal((await rejection(upload(foreign, 'kommun-a', 'pw'))).reason, 'unknown-issuer');
  await assert.rejects(upload(issue('No tenant').pkcs12, 'nobody'), (err: BrokerError) => err.code === 'tenant_unknown');
});
