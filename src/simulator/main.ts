/** `npm run simulator`: the BankID simulator on its own, configured like the broker (SIMULATOR_* variables). */
import { loadConfig } from '../config/load.ts';
import { createLogger } from '../observability/logger.ts';
import { startSimulator } from './index.ts';

/** A stop that hangs (it should not: connections are closed) still ends the process. */
const STOP_GRACE_MS = 5000;

const config = loadConfig();
const logger = createLogger(config.log);
const started = performance.now();
const simulator = await startSimulator({ ...config.simulator, logger });
logger.info({
  apiUrl: simulator.apiUrl,
  appUrl: simulator.controlUrl,
  caFile: simulator.caFile,
  rpCertificate: simulator.rpP12File,
  startMs: Math.round(performance.now() - started),
}, 'BankID simulator ready: pin caFile, use rpCertificate (PKCS#12) as the client certificate, open appUrl as the BankID app');

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'BankID simulator stopping');
    setTimeout(() => process.exit(1), STOP_GRACE_MS).unref();
    void simulator.close().then(() => logger.info('BankID simulator stopped'));
  });
}
