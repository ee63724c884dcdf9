import { readFileSync } from 'node:fs';
import { apiBaseUrl } from '../bankid/environments.ts';
import type { Config } from '../config/load.ts';
import type { Endpoints } from './connections.ts';

/**
 * The BankID environment the settings connect to (BANKID_ENV, BANKID_API_URL, BANKID_CA_FILE); a tenant or
 * certificate of another environment has no connection from this broker. The simulator's address is the running
 * one's in demo mode, else SIMULATOR_PORT on localhost.
 */
export function endpointsFromConfig(config: Config, simulatorApiUrl?: string): Endpoints {
  const { environment, apiUrl, caFile } = config.bankid;
  const simulated = environment === 'simulator' ? simulatorApiUrl ?? `https://localhost:${config.simulator.port}/rp/v6.0/` : undefined;
  return { [environment]: { baseUrl: apiBaseUrl(environment, apiUrl ?? simulated), caPem: readFileSync(caFile!, 'utf8') } };
}
