/**
 * The fake BankID for one test file: certificates, and a server and connections of its own for every test. A call a
 * test gave up on (timed out, aborted) may still reach a server after the test ended; with one server per test it
 * lands in that test's server, never in the next test's count.
 */
import { afterEach, beforeEach } from 'node:test';
import { loadRpCertificate } from '../../src/bankid/certificate.ts';
import { BankIdClient, type BankIdClientOptions } from '../../src/bankid/client.ts';
import { closeAgents } from '../../src/bankid/transport.ts';
import { CLIENT_SETTINGS, createCa, createRpCertificate, createServerCertificate } from './fixtures.ts';
import { startFakeBankId, type FakeBankId } from './fake-bankid.ts';

export const rpCa = createCa('Test RP CA');
export const serverCa = createCa('Test SSL Root CA');
export const rp = createRpCertificate(rpCa);
export const certificate = loadRpCertificate({ certPem: rp.certPem, keyPem: rp.keyPem });

export interface FakeSuite {
  fake(): FakeBankId;
  /** A client of the fake with the settings spelt out and a backoff that takes no time, unless overridden. */
  client(options?: Partial<BankIdClientOptions>): BankIdClient;
}

const serverCertificate = createServerCertificate(serverCa);

/** Registers the hooks; call once at the top of a test file. */
export function useFakeBankId(): FakeSuite {
  let fake: FakeBankId;
  beforeEach(async () => {
    fake = await startFakeBankId({ server: serverCertificate, clientCa: rpCa });
  });
  afterEach(async () => {
    closeAgents();
    await fake.close();
  });
  return {
    fake: () => fake,
    client: (options = {}) => new BankIdClient({ baseUrl: fake.baseUrl, certificate, caPem: serverCa.certPem, ...CLIENT_SETTINGS, sleep: async () => {}, ...options }),
  };
}
