/**
 * The certificate file from the settings (a mounted Kubernetes secret) is picked up when it changes, without a
 * restart: the next order uses the new certificate, the old one's connections are closed, and a broken file is
 * logged and ignored.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { closeAgents } from '../../src/bankid/transport.ts';
import { CertificateConnections } from '../../src/certificates/connections.ts';
import { SettingsCertificate } from '../../src/certificates/settings-file.ts';
import { loadConfig } from '../../src/config/load.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { startSimulator, type RunningSimulator } from '../../src/simulator/index.ts';
import { SecretBox } from '../../src/storage/encryption.ts';
import { RpCertificateRepository } from '../../src/storage/rp-certificates.ts';
import { DEFAULT_TENANT } from '../../src/storage/tenants.ts';
import { createTestDatabase } from '../helpers/database.ts';
import { SimulatorControl } from '../helpers/broker.ts';
import { until } from '../helpers/until.ts';

let simulator: RunningSimulator;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
const dir = mkdtempSync(join(tmpdir(), 'brygga-secret-'));
const lines: string[] = [];
const logger = createLogger({ level: 'info', format: 'json', destination: new Writable({ write(chunk, _e, cb) { lines.push(chunk.toString()); cb(); } }) });

before(async () => {
  simulator = await startSimulator({ ...loadConfig({}).simulator, certsDir: join(dir, 'sim'), port: 0, controlPort: 0 });
  database = await createTestDatabase();
});
after(async () => {
  closeAgents();
  await simulator.close();
  await database.close();
});

/** As the kubelet updates a secret: the new content appears in one rename. */
function replace(file: string, content: Buffer | string): void {
  writeFileSync(`${file}.new`, content);
  renameSync(`${file}.new`, file);
}

test('a changed file is used for the next order; the old certificate\'s connections are released; a broken file is ignored', async () => {
  const mounted = join(dir, 'mounted');
  mkdirSync(mounted);
  const file = join(mounted, 'rp.p12');
  const first = simulator.issueRpCertificate({ displayName: 'Första' });
  const second = simulator.issueRpCertificate({ displayName: 'Andra' });
  writeFileSync(file, first.pkcs12);
  const released: string[] = [];
  const settings = new SettingsCertificate({ certFile: file, passphrase: simulator.rpP12Passphrase }, { logger, settleMs: 20, onChange: (_next, previous) => released.push(previous.fingerprint) }).watch();
  const connections = new CertificateConnections({
    certificates: new RpCertificateRepository(database.db, new SecretBox('ef'.repeat(32))),
    tenantOf: async () => DEFAULT_TENANT,
    endpoints: { simulator: { baseUrl: simulator.apiUrl, caPem: simulator.caPem } },
    defaultEnvironment: 'simulator',
    settingsCertificate: () => settings.current,
    client: { timeoutMs: 5000, maintenanceRetries: 0 },
  });
  const sim = new SimulatorControl(simulator.controlUrl);
  const startOrder = async () => {
    const { api, rpCertificate } = await connections.forClient('any-client');
    const { orderRef } = await api.auth({ endUserIp: '127.0.0.1' });
    return { rpCertificate, seenBySimulator: (await sim.order(orderRef))!.rpCertificate };
  };
  try {
    assert.deepEqual(await startOrder(), { rpCertificate: first.fingerprint, seenBySimulator: first.fingerprint });

    replace(file, second.pkcs12);
    await until(async () => settings.current.fingerprint, (f) => f === second.fingerprint, 'the new certificate is loaded');
    assert.deepEqual(released, [first.fingerprint]);
    assert.deepEqual(await startOrder(), { rpCertificate: second.fingerprint, seenBySimulator: second.fingerprint });

    // Half-written or wrong: logged, and the current certificate stays.
    replace(file, 'not a certificate');
    await until(async () => lines.some((l) => l.includes('cannot be used; keeping the current certificate')), Boolean, 'the broken file is reported');
    assert.equal(settings.current.fingerprint, second.fingerprint);
    assert.equal(await settings.reloadIfChanged(), false, 'the same broken content is not tried again');

    // Touching the file without changing it is no change.
    replace(file, second.pkcs12);
    await until(async () => settings.reloadIfChanged(), (changed) => changed === false, 'settled');
    assert.equal(settings.current.fingerprint, second.fingerprint);
    assert.deepEqual(released, [first.fingerprint]);
  } finally {
    settings.close();
  }
});
