/** `npm start`: validates the configuration, starts the broker, and stops it cleanly on SIGINT/SIGTERM. */
import { startBroker } from './broker.ts';
import { ConfigError, loadConfig } from './config/load.ts';
import { createLogger } from './observability/logger.ts';
import { releaseStartupMemory } from './runtime/memory.ts';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\nBrygga did not start. See the configuration table in README.md.\n`);
  process.exit(1);
}
const logger = createLogger(config.log);
try {
  const broker = await startBroker(config, { logger });
  releaseStartupMemory();
  if (config.demo) {
    process.stdout.write([
      '',
      `  Brygga is running in demo mode.`,
      `  Demo relying party:      ${broker.url}/demo`,
      `  Simulated BankID app:    ${broker.simulator?.controlUrl ?? '(external simulator)'}`,
      `  OpenID discovery:        ${broker.url}/.well-known/openid-configuration`,
      `  Prometheus metrics:      ${broker.metricsUrl}`,
      '',
    ].join('\n') + '\n');
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    broker.close().then(() => process.exit(0), (err: Error) => { logger.error({ err: err.message }, 'unclean stop'); process.exit(1); });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  logger.fatal({ err: (err as Error).message }, 'Brygga did not start');
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
}
