import type { BankIdApi } from '../../src/bankid/types.ts';
import type { BankIdConnections } from '../../src/orders/connections.ts';

/** One API for every client and certificate: for tests of the order flow itself. */
export function oneCertificate(api: BankIdApi, fingerprint: string): BankIdConnections {
  return {
    forClient: async () => ({ api, rpCertificate: fingerprint }),
    forCertificate: async (asked) => {
      if (asked !== fingerprint) throw new Error(`no certificate ${asked}`);
      return api;
    },
  };
}
