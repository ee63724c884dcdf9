/** Brygga's simulator for one test file: its RP certificate and CA, a client over real mTLS, the control API. */
import assert from 'node:assert/strict';
import { after, afterEach, before } from 'node:test';
import { loadRpCertificateFiles, type RpCertificate } from '../../src/bankid/certificate.ts';
import { BankIdClient, type BankIdClientOptions } from '../../src/bankid/client.ts';
import { closeAgents } from '../../src/bankid/transport.ts';
import { startTestSimulator, type TestSimulator } from '../simulator/support.ts';
import { CLIENT_SETTINGS } from './fixtures.ts';

export interface SimulatorSuite {
  t(): TestSimulator;
  certificate(): RpCertificate;
  /** A client of the simulator with the settings spelt out and a backoff that takes no time, unless overridden. */
  client(options?: Partial<BankIdClientOptions>): BankIdClient;
  /** A control API call that must succeed; resolves with its JSON answer. */
  control(method: string, path: string, body?: unknown): Promise<any>;
}

/** Registers the hooks; call once at the top of a test file. Faults and RP registrations are cleared after each test. */
export function useSimulator(): SimulatorSuite {
  let t: TestSimulator;
  let certificate: RpCertificate;
  const suite: SimulatorSuite = {
    t: () => t,
    certificate: () => certificate,
    client: (options = {}) => new BankIdClient({ baseUrl: t.sim.apiUrl, certificate, caPem: t.sim.caPem, ...CLIENT_SETTINGS, sleep: async () => {}, ...options }),
    async control(method, path, body) {
      const response = await fetch(new URL(path, t.sim.controlUrl), {
        method,
        signal: AbortSignal.timeout(10_000),
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
      return JSON.parse(text);
    },
  };
  before(async () => {
    t = await startTestSimulator();
    certificate = loadRpCertificateFiles({ certFile: t.sim.rpP12File, passphrase: t.sim.rpP12Passphrase });
  });
  afterEach(async () => {
    await suite.control('DELETE', '/sim/faults');
    await suite.control('DELETE', '/sim/rp-certificates');
  });
  after(async () => {
    closeAgents();
    await t?.close();
  });
  return suite;
}
